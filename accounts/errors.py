"""The accounts error catalogue: stable codes with messages a person can act on."""

from enum import StrEnum


class AccountsErrorCode(StrEnum):
    INVALID_PREFIX = "invalid_prefix"
    PREFIX_TAKEN = "prefix_taken"
    PREFIX_POOL_EXHAUSTED = "prefix_pool_exhausted"
    PREFIX_SAME_OWNER = "prefix_same_owner"
    ORGANISATION_NOT_ACTIVE = "organisation_not_active"
    APPLICATION_NOT_PENDING = "application_not_pending"
    REASON_REQUIRED = "reason_required"
    SPONSOR_REQUIRED = "sponsor_required"
    LAST_ADMIN = "last_admin"
    UNKNOWN_ROLE = "unknown_role"
    NO_ROLES = "no_roles"
    ALREADY_MEMBER = "already_member"
    INVITATION_CLOSED = "invitation_closed"
    INVITATION_WRONG_USER = "invitation_wrong_user"
    USERNAME_TAKEN = "username_taken"
    CREDENTIAL_REVOKED = "credential_revoked"
    CONTACT_EXISTS = "contact_exists"
    INVALID_STATUS_CHANGE = "invalid_status_change"


class AccountsError(Exception):
    """Raised by services when a request cannot be carried out; `field` names the form
    field the message belongs to, where there is one."""

    def __init__(self, code: AccountsErrorCode, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
