from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.errors import AccountsError, AccountsErrorCode
from accounts.models import (
    ApplicationStatus,
    ContactRole,
    MembershipApplication,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from accounts.services.audit import audit_record, stored_user
from accounts.services.organisations import contact_save, organisation_create
from accounts.services.people import membership_set_roles, user_get_or_create_for_email
from accounts.services.prefixes import prefix_assign

# Kinds that register content and so receive a prefix on approval.
KINDS_WITH_PREFIX = {OrganisationKind.MEMBER, OrganisationKind.SPONSORED_MEMBER}


@transaction.atomic
def application_submit(**fields) -> MembershipApplication:
    """Store a membership application from the public form and tell staff and applicant."""
    from accounts import tasks

    application = MembershipApplication(**fields)
    if application.kind == OrganisationKind.SPONSORED_MEMBER and application.sponsor is None:
        raise AccountsError(
            AccountsErrorCode.SPONSOR_REQUIRED,
            "A sponsored member applies through a sponsor: choose the sponsor.",
            field="sponsor",
        )
    application.primary_email = application.primary_email.lower()
    application.full_clean()
    application.save()
    audit_record(actor=None, action="application.submit", target=application)
    transaction.on_commit(lambda: tasks.send_application_received_email.delay(application.pk))
    return application


def _require_pending(application: MembershipApplication) -> None:
    if application.status != ApplicationStatus.PENDING:
        raise AccountsError(
            AccountsErrorCode.APPLICATION_NOT_PENDING,
            f"The application of {application.organisation_name} was already "
            f"{application.get_status_display().lower()}.",
        )


@transaction.atomic
def application_approve(*, application: MembershipApplication, actor: User | None) -> Organisation:
    """Approve: the organisation becomes active, members get the next free prefix, the
    primary contact becomes its admin and receives an email to set a password."""
    from accounts import tasks

    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    _require_pending(application)
    organisation = organisation_create(
        name=application.organisation_name,
        kind=application.kind,
        country=application.country.code if application.country else "",
        revenue_tier=application.revenue_tier,
        sponsor=application.sponsor if application.kind == OrganisationKind.SPONSORED_MEMBER else None,
        website=application.website,
        actor=actor,
    )
    contacts = [
        (ContactRole.PRIMARY, application.primary_name, application.primary_email),
        (ContactRole.BILLING, application.billing_name, application.billing_email),
        (ContactRole.TECHNICAL, application.technical_name, application.technical_email),
    ]
    for role, name, email in contacts:
        if name and email:
            contact_save(organisation=organisation, actor=actor, role=role, name=name, email=email)
    if application.kind in KINDS_WITH_PREFIX:
        prefix_assign(organisation=organisation, actor=actor)
    admin, _created = user_get_or_create_for_email(
        email=application.primary_email, full_name=application.primary_name
    )
    membership_set_roles(organisation=organisation, user=admin, roles=[Role.ADMIN], actor=actor)
    application.status = ApplicationStatus.APPROVED
    application.organisation = organisation
    application.reviewed_at = timezone.now()
    application.reviewed_by = stored_user(actor)
    application.save(update_fields=["status", "organisation", "reviewed_at", "reviewed_by"])
    audit_record(
        actor=actor,
        action="application.approve",
        target=application,
        organisation=organisation,
        before={"status": ApplicationStatus.PENDING},
        after={"status": ApplicationStatus.APPROVED, "organisation": organisation.pk},
    )
    transaction.on_commit(lambda: tasks.send_application_approved_email.delay(application.pk))
    return organisation


@transaction.atomic
def application_reject(
    *, application: MembershipApplication, actor: User | None, reason: str
) -> MembershipApplication:
    from accounts import tasks

    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    _require_pending(application)
    if not reason.strip():
        raise AccountsError(
            AccountsErrorCode.REASON_REQUIRED,
            "Give the applicant a reason for the rejection: it is sent to them.",
            field="reason",
        )
    application.status = ApplicationStatus.REJECTED
    application.rejection_reason = reason.strip()
    application.reviewed_at = timezone.now()
    application.reviewed_by = stored_user(actor)
    application.save(update_fields=["status", "rejection_reason", "reviewed_at", "reviewed_by"])
    audit_record(
        actor=actor,
        action="application.reject",
        target=application,
        before={"status": ApplicationStatus.PENDING},
        after={"status": ApplicationStatus.REJECTED},
        message=application.rejection_reason,
    )
    transaction.on_commit(lambda: tasks.send_application_rejected_email.delay(application.pk))
    return application
