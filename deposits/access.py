"""Who is calling the machine endpoints (`/servlet/deposit`, `/servlet/submissionDownload`).

Publishing systems send role credentials as `login_id` / `login_passwd` (or `usr` / `pwd`),
in the multipart body or on the query string, or an API token as the password or as
`Authorization: Bearer <token>`. The check itself is accounts' `credential_authenticate`."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import Organisation, OrganisationStatus
from accounts.services import DepositIdentity, credential_authenticate
from deposits.selectors import organisation_status_reason

LOGIN_FIELDS = ("login_id", "usr")
PASSWORD_FIELDS = ("login_passwd", "pwd")

BAD_CREDENTIALS = (
    "Login failed: these credentials are not valid for depositing. Check the login_id and "
    "login_passwd (both are case-sensitive), or the API token."
)


class AccessRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def request_param(request: HttpRequest, *names: str) -> str:
    """The first of `names` present in the body, else on the query string (the real
    service accepts both), as sent."""
    for source in (request.POST, request.GET):
        for name in names:
            value = source.get(name)
            if value:
                return value
    return ""


def request_credentials(request: HttpRequest) -> tuple[str, str]:
    """(login, password) of the request; a bearer token counts as the password."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return "", value.strip()
    return request_param(request, *LOGIN_FIELDS), request_param(request, *PASSWORD_FIELDS)


def request_identity(request: HttpRequest) -> DepositIdentity:
    """The identity a request acts for. Raises AccessRefused: 401 for credentials that do
    not check out (without saying which part), 403 when they do but the organisation may
    not deposit (suspended, closed, not yet active), with the reason."""
    login_id, password = request_credentials(request)
    if not login_id and not password:
        raise AccessRefused(
            "Login required: send login_id and login_passwd (or usr and pwd), or an API token.", 401
        )
    identity = credential_authenticate(login_id=login_id, password=password, require_active=False)
    if identity is None:
        raise AccessRefused(BAD_CREDENTIALS, 401)
    if identity.organisation.status != OrganisationStatus.ACTIVE:
        raise AccessRefused(organisation_refusal(identity.organisation), 403)
    return identity


def organisation_refusal(organisation: Organisation) -> str:
    status = OrganisationStatus(organisation.status).label.lower()
    reason = organisation_status_reason(organisation)
    because = f" The reason given: {reason.rstrip('.')}." if reason else ""
    return (
        f"{organisation.name} is {status}, so its deposits are refused.{because} "
        "Contact support to have the account reactivated."
    )
