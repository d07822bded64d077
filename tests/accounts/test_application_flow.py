"""The path of a new member: public application → staff approval in the admin → prefix
assigned → email with a password link → first login → the member's own account pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import (
    ApplicationStatus,
    AuditEvent,
    MembershipApplication,
    Organisation,
    OrganisationStatus,
    Role,
)
from tests.factories import ApplicationFactory, OrganisationFactory, PrefixFactory, UserFactory

pytestmark = pytest.mark.django_db

APPLICATION = {
    "organisation_name": "Lakeside Linguistics Press",
    "kind": "member",
    "country": "KE",
    "website": "https://lakeside.example",
    "revenue_tier": "lt_1m",
    "publishes": "Two open-access journals in linguistics, 80 articles a year.",
    "primary_name": "Amina Otieno",
    "primary_email": "Amina@Lakeside.example",
    "billing_name": "Lakeside Accounts",
    "billing_email": "accounts@lakeside.example",
    "technical_name": "",
    "technical_email": "",
}


def _link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_application_to_first_login(client, settings, django_capture_on_commit_callbacks):
    settings.PREFIX_POOL_START, settings.PREFIX_POOL_END = 50000, 50010
    PrefixFactory(value="10.50000")  # taken already: the applicant must get the next one
    staff = UserFactory(is_staff=True, is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("join"), APPLICATION)
    assert response.status_code == 302, response.content
    application = MembershipApplication.objects.get()
    assert application.status == ApplicationStatus.PENDING
    assert application.primary_email == "amina@lakeside.example"
    assert [m.to for m in mail.outbox] == [["amina@lakeside.example"]]

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_membershipapplication_changelist"),
            {"action": "approve", "_selected_action": [application.pk]},
            follow=True,
        )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    organisation = application.organisation
    assert organisation.status == OrganisationStatus.ACTIVE
    assert [p.value for p in organisation.prefixes.all()] == ["10.50001"]
    assert {c.role for c in organisation.contacts.all()} == {"primary", "billing"}
    assert AuditEvent.objects.filter(action="application.approve", actor=staff).exists()

    welcome = mail.outbox[-1]
    assert welcome.to == ["amina@lakeside.example"]
    assert "10.50001" in welcome.body
    client.logout()

    # The emailed link lets the new admin choose a password, then log in.
    response = client.get(_link_in(welcome), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"}
    )
    assert response.status_code == 302
    assert client.login(username="AMINA@lakeside.example", password="a-long-new-passphrase")

    response = client.get(reverse("accounts:home"), follow=True)
    assert response.status_code == 200
    assert b"Lakeside Linguistics Press" in response.content
    assert b"admin" in response.content
    response = client.get(reverse("accounts:prefixes", args=[organisation.member_id]))
    assert b"10.50001" in response.content


def test_rejection_needs_a_reason_and_mails_it(client, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True, is_superuser=True)
    application = ApplicationFactory()
    client.force_login(staff)
    url = reverse("admin:accounts_membershipapplication_changelist")
    response = client.post(url, {"action": "reject", "_selected_action": [application.pk]})
    assert response.status_code == 200 and b"reason" in response.content  # asks for a reason
    response = client.post(
        url,
        {"action": "reject", "_selected_action": [application.pk], "apply": "1", "reason": ""},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING  # an empty reason changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "action": "reject",
                "_selected_action": [application.pk],
                "apply": "1",
                "reason": "We could not verify the website.",
            },
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert "could not verify the website" in mail.outbox[-1].body
    assert not Organisation.objects.exists()


def test_application_form_errors_name_the_field(client):
    data = {**APPLICATION, "primary_email": "not-an-email", "kind": "sponsored_member"}
    response = client.post(reverse("join"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "primary_email" in form.errors
    assert "sponsor" in form.errors
    assert b"Lakeside Linguistics Press" in response.content  # what was typed is kept
    assert not MembershipApplication.objects.exists()


def test_sponsored_member_approval_keeps_its_sponsor():
    from accounts import services

    sponsor = OrganisationFactory(kind="sponsor")
    application = ApplicationFactory(kind="sponsored_member", sponsor=sponsor)
    organisation = services.application_approve(application=application, actor=None)
    assert organisation.sponsor == sponsor
    assert organisation.prefixes.count() == 1
    assert organisation.memberships.get().role == Role.ADMIN


def test_library_gets_no_prefix():
    from accounts import services

    organisation = services.application_approve(application=ApplicationFactory(kind="library"), actor=None)
    assert organisation.prefixes.count() == 0
