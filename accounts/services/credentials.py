"""Deposit credentials: role logins, personal `email/role` logins and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.errors import AccountsError, AccountsErrorCode
from accounts.models import (
    CredentialKind,
    DepositCredential,
    Membership,
    Organisation,
    Role,
    User,
)
from accounts.services.audit import audit_record

TOKEN_MARK = "dpt"
DEPOSIT_ROLES = (Role.ADMIN, Role.DEPOSITOR)


@dataclass(frozen=True)
class DepositIdentity:
    """Who a deposit request acts for, once its credentials check out."""

    organisation: Organisation
    credential: DepositCredential
    user: User | None = None

    @property
    def login_name(self) -> str:
        name = self.credential.username or f"token {self.credential.token_prefix}"
        return f"{self.user.email}/{name}" if self.user else name


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _audit_create(credential: DepositCredential, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="credential.create",
        target=credential,
        organisation=credential.organisation,
        after={"kind": credential.kind, "label": credential.label, "username": credential.username},
    )


@transaction.atomic
def credential_create_role(
    *, organisation: Organisation, username: str, actor: User | None, label: str = ""
) -> tuple[DepositCredential, str]:
    """Create a role login; returns the credential and its password, shown only once."""
    username = username.strip().lower()
    if DepositCredential.objects.filter(username=username).exists():
        raise AccountsError(
            AccountsErrorCode.USERNAME_TAKEN,
            f"The username '{username}' is taken: choose another.",
            field="username",
        )
    password = secrets.token_urlsafe(18)
    credential = DepositCredential(
        organisation=organisation,
        kind=CredentialKind.ROLE,
        username=username,
        label=label,
        password_hash=make_password(password),
        created_by=actor,
    )
    try:
        credential.full_clean()
    except ValidationError as exc:
        messages = exc.message_dict.get("username") or exc.messages
        raise AccountsError(
            AccountsErrorCode.USERNAME_TAKEN, f"Username: {messages[0]}", field="username"
        ) from exc
    credential.save()
    _audit_create(credential, actor)
    return credential, password


@transaction.atomic
def credential_create_token(
    *, organisation: Organisation, actor: User | None, label: str = ""
) -> tuple[DepositCredential, str]:
    """Create an API token; returns the credential and the token, shown only once."""
    lookup = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    credential = DepositCredential.objects.create(
        organisation=organisation,
        kind=CredentialKind.TOKEN,
        label=label,
        token_prefix=lookup,
        token_hash=_token_digest(secret),
        created_by=actor,
    )
    _audit_create(credential, actor)
    return credential, f"{TOKEN_MARK}_{lookup}_{secret}"


@transaction.atomic
def credential_revoke(*, credential: DepositCredential, actor: User | None) -> DepositCredential:
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.revoked_by = actor
        credential.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="credential.revoke",
            target=credential,
            organisation=credential.organisation,
        )
    return credential


def _touch(credential: DepositCredential) -> None:
    DepositCredential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())


def _usable(credential: DepositCredential | None, require_active: bool) -> bool:
    return (
        credential is not None
        and credential.revoked_at is None
        and (not require_active or credential.organisation.status == "active")
    )


def credential_authenticate(
    *, login_id: str, password: str, require_active: bool = True
) -> DepositIdentity | None:
    """Check the credentials of a deposit request.

    Accepts a role login (`login_id` = username), a personal login (`email/role`: the
    user's own password, for a role of an organisation the user deposits for), or an API
    token, either as `login_passwd` with any or no `login_id`, or as `login_id` alone.
    Returns None whenever anything does not check out, without saying which part. With
    `require_active=False` a valid login of a suspended or closed organisation is returned
    too, so an endpoint can tell that member why it is refused.
    """
    login_id, password = (login_id or "").strip(), password or ""
    for candidate in (password, login_id):
        if candidate.startswith(f"{TOKEN_MARK}_"):
            return _authenticate_token(candidate, require_active)
    if not login_id or not password:
        return None
    if "/" in login_id:
        email, _, role_name = login_id.rpartition("/")
        return _authenticate_personal(email, role_name, password, require_active)
    credential = (
        DepositCredential.objects.select_related("organisation")
        .filter(kind=CredentialKind.ROLE, username=login_id.lower())
        .first()
    )
    if not _usable(credential, require_active) or not check_password(password, credential.password_hash):
        return None
    _touch(credential)
    return DepositIdentity(organisation=credential.organisation, credential=credential)


def _authenticate_token(token: str, require_active: bool) -> DepositIdentity | None:
    try:
        _mark, lookup, secret = token.split("_", 2)
    except ValueError:
        return None
    credential = (
        DepositCredential.objects.select_related("organisation")
        .filter(kind=CredentialKind.TOKEN, token_prefix=lookup)
        .first()
    )
    if not _usable(credential, require_active) or not hmac.compare_digest(
        credential.token_hash, _token_digest(secret)
    ):
        return None
    _touch(credential)
    return DepositIdentity(organisation=credential.organisation, credential=credential)


def _authenticate_personal(
    email: str, role_name: str, password: str, require_active: bool
) -> DepositIdentity | None:
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    credential = (
        DepositCredential.objects.select_related("organisation")
        .filter(kind=CredentialKind.ROLE, username=role_name.lower())
        .first()
    )
    if user is None or not _usable(credential, require_active) or not user.check_password(password):
        return None
    may_deposit = Membership.objects.filter(
        user=user, organisation=credential.organisation, role__in=DEPOSIT_ROLES
    ).exists()
    if not may_deposit:
        return None
    _touch(credential)
    return DepositIdentity(organisation=credential.organisation, credential=credential, user=user)
