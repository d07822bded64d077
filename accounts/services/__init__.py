"""Every write of the accounts app. Keyword-only, atomic, audited; mail goes out on commit."""

from accounts.services.applications import (
    application_approve,
    application_reject,
    application_submit,
)
from accounts.services.audit import audit_record
from accounts.services.credentials import (
    DepositIdentity,
    credential_authenticate,
    credential_create_role,
    credential_create_token,
    credential_revoke,
)
from accounts.services.organisations import (
    contact_delete,
    contact_save,
    organisation_create,
    organisation_set_status,
    organisation_update,
)
from accounts.services.people import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    membership_remove,
    membership_set_roles,
    user_get_or_create_for_email,
    user_register,
)
from accounts.services.prefixes import (
    prefix_assign,
    prefix_next_free_value,
    prefix_normalise,
    prefix_set_status,
    prefix_transfer,
)

__all__ = [
    "DepositIdentity",
    "application_approve",
    "application_reject",
    "application_submit",
    "audit_record",
    "contact_delete",
    "contact_save",
    "credential_authenticate",
    "credential_create_role",
    "credential_create_token",
    "credential_revoke",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_revoke",
    "invitation_token",
    "membership_remove",
    "membership_set_roles",
    "organisation_create",
    "organisation_set_status",
    "organisation_update",
    "prefix_assign",
    "prefix_next_free_value",
    "prefix_normalise",
    "prefix_set_status",
    "prefix_transfer",
    "user_get_or_create_for_email",
    "user_register",
]
