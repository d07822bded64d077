from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from accounts.errors import AccountsError, AccountsErrorCode
from accounts.models import (
    Contact,
    ContactRole,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
)
from accounts.services.audit import audit_record, snapshot

PROFILE_FIELDS = [
    "name",
    "country",
    "revenue_tier",
    "website",
    "address",
    "deposit_callback_url",
    "citation_callback_url",
]
ORGANISATION_FIELDS = ["name", "member_id", "kind", "sponsor", "status", *PROFILE_FIELDS[1:]]

# Which status may follow which: closing is final.
STATUS_TRANSITIONS = {
    OrganisationStatus.APPLICANT: {OrganisationStatus.ACTIVE, OrganisationStatus.CLOSED},
    OrganisationStatus.ACTIVE: {OrganisationStatus.SUSPENDED, OrganisationStatus.CLOSED},
    OrganisationStatus.SUSPENDED: {OrganisationStatus.ACTIVE, OrganisationStatus.CLOSED},
    OrganisationStatus.CLOSED: set(),
}


def _next_member_id() -> int:
    highest = Organisation.objects.aggregate(highest=Max("member_id"))["highest"]
    return (highest or 0) + 1


def _check_sponsor(kind: str, sponsor: Organisation | None) -> None:
    if kind == OrganisationKind.SPONSORED_MEMBER and sponsor is None:
        raise AccountsError(
            AccountsErrorCode.SPONSOR_REQUIRED,
            "A sponsored member needs a sponsor: choose the sponsor organisation.",
            field="sponsor",
        )
    if sponsor is not None and kind != OrganisationKind.SPONSORED_MEMBER:
        raise AccountsError(
            AccountsErrorCode.SPONSOR_REQUIRED,
            "Only sponsored members have a sponsor: clear the sponsor or change the kind.",
            field="sponsor",
        )


@transaction.atomic
def organisation_create(
    *,
    name: str,
    actor: User | None,
    kind: str = OrganisationKind.MEMBER,
    status: str = OrganisationStatus.ACTIVE,
    country: str = "",
    revenue_tier: str | None = None,
    sponsor: Organisation | None = None,
    member_id: int | None = None,
    website: str = "",
) -> Organisation:
    _check_sponsor(kind, sponsor)
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        status=status,
        country=country,
        sponsor=sponsor,
        member_id=member_id or _next_member_id(),
        website=website,
    )
    if revenue_tier:
        organisation.revenue_tier = revenue_tier
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation.create",
        target=organisation,
        organisation=organisation,
        after=snapshot(organisation, ORGANISATION_FIELDS),
    )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User | None, **changes) -> Organisation:
    """Change profile fields (name, country, revenue tier, website, address, callback URLs)."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    # The state before comes from the database: a ModelForm bound to `organisation` has
    # already copied the submitted values onto it by the time it is valid.
    before = snapshot(Organisation.objects.get(pk=organisation.pk), PROFILE_FIELDS)
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    after = snapshot(organisation, PROFILE_FIELDS)
    if before != after:
        audit_record(
            actor=actor,
            action="organisation.update",
            target=organisation,
            organisation=organisation,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return organisation


@transaction.atomic
def organisation_set_status(
    *, organisation: Organisation, status: str, actor: User | None, reason: str = ""
) -> Organisation:
    """Suspend, reactivate or close an organisation, following STATUS_TRANSITIONS."""
    current = OrganisationStatus(organisation.status)
    if status == current:
        return organisation
    if status not in STATUS_TRANSITIONS[current]:
        raise AccountsError(
            AccountsErrorCode.INVALID_STATUS_CHANGE,
            f"{organisation.name} is {current.label.lower()}; it cannot become "
            f"{OrganisationStatus(status).label.lower()}.",
            field="status",
        )
    if status in (OrganisationStatus.SUSPENDED, OrganisationStatus.CLOSED) and not reason.strip():
        raise AccountsError(
            AccountsErrorCode.REASON_REQUIRED,
            "Give a reason: it is kept in the audit log and shown to the member.",
            field="reason",
        )
    organisation.status = status
    organisation.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=f"organisation.status.{status}",
        target=organisation,
        organisation=organisation,
        before={"status": current.value},
        after={"status": status},
        message=reason,
    )
    return organisation


@transaction.atomic
def contact_save(
    *,
    organisation: Organisation,
    actor: User | None,
    role: str,
    name: str,
    email: str,
    phone: str = "",
    contact: Contact | None = None,
) -> Contact:
    """Create a contact, or update `contact` (which must belong to `organisation`)."""
    if contact is not None and contact.organisation_id != organisation.pk:
        raise ValueError("The contact belongs to another organisation.")
    role = ContactRole(role)
    # As stored, not as passed: a ModelForm bound to `contact` has already changed it.
    stored = Contact.objects.get(pk=contact.pk) if contact is not None and contact.pk else None
    before = snapshot(stored, ["role", "name", "email", "phone"]) if stored else {}
    contact = contact or Contact(organisation=organisation)
    contact.role, contact.name, contact.email, contact.phone = role, name.strip(), email.lower(), phone
    duplicate = Contact.objects.filter(organisation=organisation, role=role, email=contact.email)
    if contact.pk:
        duplicate = duplicate.exclude(pk=contact.pk)
    if duplicate.exists():
        raise AccountsError(
            AccountsErrorCode.CONTACT_EXISTS,
            f"{contact.email} is already the {role.label.lower()} contact of {organisation.name}.",
            field="email",
        )
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor,
        action="contact.update" if before else "contact.create",
        target=contact,
        organisation=organisation,
        before=before,
        after=snapshot(contact, ["role", "name", "email", "phone"]),
    )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="contact.delete",
        target=contact,
        organisation=contact.organisation,
        before=snapshot(contact, ["role", "name", "email", "phone"]),
    )
    contact.delete()
