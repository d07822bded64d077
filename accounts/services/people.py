from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.errors import AccountsError, AccountsErrorCode
from accounts.models import Invitation, Membership, Organisation, Role, User
from accounts.services.audit import audit_record

INVITATION_SALT = "accounts.invitation"


def _clean_roles(roles: Iterable[str]) -> list[str]:
    cleaned = []
    for role in roles:
        if role not in Role.values:
            raise AccountsError(
                AccountsErrorCode.UNKNOWN_ROLE,
                f"'{role}' is not a role; choose from {', '.join(Role.values)}.",
                field="roles",
            )
        if role not in cleaned:
            cleaned.append(role)
    if not cleaned:
        raise AccountsError(AccountsErrorCode.NO_ROLES, "Choose at least one role.", field="roles")
    return sorted(cleaned, key=Role.values.index)


def _roles_of(user: User, organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True)
    )


def _guard_last_admin(organisation: Organisation, user: User, remaining: list[str]) -> None:
    if Role.ADMIN in remaining:
        return
    other_admins = (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .exclude(user=user)
        .filter(user__is_active=True)
    )
    if Role.ADMIN in _roles_of(user, organisation) and not other_admins.exists():
        raise AccountsError(
            AccountsErrorCode.LAST_ADMIN,
            f"{user.email} is the only admin of {organisation.name}: make someone else admin first.",
            field="roles",
        )


@transaction.atomic
def membership_set_roles(
    *, organisation: Organisation, user: User, roles: Iterable[str], actor: User | None
) -> list[str]:
    """Make `roles` exactly the roles `user` holds for `organisation`."""
    wanted = _clean_roles(roles)
    current = _roles_of(user, organisation)
    _guard_last_admin(organisation, user, wanted)
    Membership.objects.filter(user=user, organisation=organisation).exclude(role__in=wanted).delete()
    for role in wanted:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if sorted(current) != sorted(wanted):
        audit_record(
            actor=actor,
            action="membership.roles",
            target=user,
            organisation=organisation,
            before={"roles": current},
            after={"roles": wanted},
        )
    return wanted


@transaction.atomic
def membership_remove(*, organisation: Organisation, user: User, actor: User | None) -> None:
    current = _roles_of(user, organisation)
    _guard_last_admin(organisation, user, [])
    Membership.objects.filter(user=user, organisation=organisation).delete()
    audit_record(
        actor=actor,
        action="membership.remove",
        target=user,
        organisation=organisation,
        before={"roles": current},
    )


def invitation_token(invitation: Invitation) -> str:
    """The secret in an invitation link: signed with SECRET_KEY, so nothing is stored."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    max_age = timedelta(days=settings.INVITATION_VALID_DAYS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organisation").filter(pk=data.get("invitation")).first()


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, roles: Iterable[str], actor: User | None
) -> Invitation:
    from accounts import tasks

    email = email.strip().lower()
    cleaned = _clean_roles(roles)
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise AccountsError(
            AccountsErrorCode.ALREADY_MEMBER,
            f"{email} already acts for {organisation.name}: change their roles instead.",
            field="email",
        )
    # A new invitation replaces any open one for the same address.
    Invitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        roles=cleaned,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(
        actor=actor,
        action="invitation.create",
        target=invitation,
        organisation=organisation,
        after={"email": email, "roles": cleaned},
    )
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User | None) -> Invitation:
    if invitation.is_open:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="invitation.revoke",
            target=invitation,
            organisation=invitation.organisation,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Invitation:
    """Give `user` the invited roles. The user must own the invited address."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise AccountsError(
            AccountsErrorCode.INVITATION_CLOSED,
            "This invitation was already used, revoked or has expired: ask for a new one.",
        )
    if user.email.lower() != invitation.email.lower():
        raise AccountsError(
            AccountsErrorCode.INVITATION_WRONG_USER,
            f"This invitation is for {invitation.email}; you are logged in as {user.email}.",
        )
    held = _roles_of(user, invitation.organisation)
    for role in invitation.roles:
        Membership.objects.get_or_create(user=user, organisation=invitation.organisation, role=role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="invitation.accept",
        target=invitation,
        organisation=invitation.organisation,
        before={"roles": held},
        after={"roles": sorted(set(held) | set(invitation.roles))},
    )
    return invitation


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str = "") -> User:
    """Create a login for someone who arrived through an invitation link."""
    return User.objects.create_user(email=email, password=password, full_name=full_name.strip())


def user_get_or_create_for_email(*, email: str, full_name: str = "") -> tuple[User, bool]:
    """Find the user with this address, or create one without a usable password (they
    choose it through the emailed link)."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user:
        return user, False
    return User.objects.create_user(email=email, password=None, full_name=full_name.strip()), True
