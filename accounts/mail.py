"""Mail the accounts app sends. Each function takes an id, loads what it needs and sends
one message; tasks.py runs them after the transaction that caused them commits."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Invitation, MembershipApplication, User
from accounts.services.people import invitation_token


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(template: str, context: dict, recipients: list[str]) -> None:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, recipients)


def password_set_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def mail_application_received(application_id: int) -> None:
    application = MembershipApplication.objects.get(pk=application_id)
    _send(
        "accounts/email/application_received.txt",
        {"application": application},
        [application.primary_email],
    )
    if settings.STAFF_NOTIFY_EMAILS:
        _send(
            "accounts/email/application_staff_notice.txt",
            {
                "application": application,
                "admin_url": _absolute(
                    reverse("admin:accounts_membershipapplication_change", args=[application.pk])
                ),
            },
            settings.STAFF_NOTIFY_EMAILS,
        )


def mail_application_approved(application_id: int) -> None:
    application = MembershipApplication.objects.select_related("organisation").get(pk=application_id)
    user = User.objects.get(email__iexact=application.primary_email)
    _send(
        "accounts/email/application_approved.txt",
        {
            "application": application,
            "organisation": application.organisation,
            "prefixes": list(application.organisation.prefixes.values_list("value", flat=True)),
            "user": user,
            "needs_password": not user.has_usable_password(),
            "password_link": password_set_link(user),
            "login_link": _absolute(reverse("login")),
        },
        [application.primary_email],
    )


def mail_application_rejected(application_id: int) -> None:
    application = MembershipApplication.objects.get(pk=application_id)
    _send(
        "accounts/email/application_rejected.txt",
        {"application": application},
        [application.primary_email],
    )


def mail_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    if not invitation.is_open:
        return
    link = _absolute(reverse("accounts:invitation", kwargs={"token": invitation_token(invitation)}))
    _send(
        "accounts/email/invitation.txt",
        {"invitation": invitation, "link": link},
        [invitation.email],
    )
