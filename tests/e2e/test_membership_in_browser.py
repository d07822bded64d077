"""A publisher joins and manages its account in a real browser: apply, staff approval in
the admin, the emailed password link, first login, prefixes, credentials."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import DepositCredential, MembershipApplication
from accounts.services import credential_authenticate
from tests.e2e.conftest import snap
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_member_joins_and_creates_a_token(page, settings):
    settings.PREFIX_POOL_START, settings.PREFIX_POOL_END = 60000, 60099
    staff = UserFactory(email="staff@portal.example", is_staff=True, is_superuser=True)

    page.goto("/join/")
    page.get_by_label("Organisation name").fill("Harbour Hill Press")
    page.get_by_label("Country").select_option("NZ")
    page.get_by_label("Annual publishing revenue").select_option("lt_1m")
    page.get_by_label("What do you publish?").fill("One journal of coastal ecology.")
    page.get_by_label("Your name (primary contact)").fill("Mere Parata")
    page.get_by_label("Your email").fill("mere@harbourhill.example")
    page.get_by_label("Billing contact name").fill("Accounts")
    page.get_by_label("Billing contact email").fill("accounts@harbourhill.example")
    snap(page, "01-application-form")
    page.get_by_role("button", name="Send the application").click()
    page.get_by_role("heading", name="Thank you: your application is in").wait_for()
    snap(page, "02-application-received")

    # Staff approve in the admin.
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/accounts/membershipapplication/")
    page.get_by_role("row", name=re.compile("Harbour Hill Press")).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name=re.compile("Go|Run")).click()
    page.get_by_text("Applications approved: 1.").wait_for()
    snap(page, "03-approved-in-admin")
    assert MembershipApplication.objects.get().status == "approved"
    page.context.clear_cookies()

    # The emailed link sets a password; then the first login.
    welcome = next(m for m in mail.outbox if "Welcome" in m.subject)
    link = re.search(r"https?://\S+", welcome.body).group(0)
    page.goto(link.replace(settings.SITE_URL, ""))
    snap(page, "04-choose-password")
    page.get_by_label("New password:", exact=True).fill("coastal-ecology-2026!")
    page.get_by_label("New password confirmation").fill("coastal-ecology-2026!")
    page.get_by_role("button", name="Save the password").click()
    page.get_by_role("heading", name="Password saved").wait_for()
    page.goto("/auth/login/")
    page.get_by_label("Email").fill("mere@harbourhill.example")
    page.get_by_label("Password").fill("coastal-ecology-2026!")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Harbour Hill Press").wait_for()
    snap(page, "04-first-login-profile")

    page.get_by_role("link", name="Prefixes").click()
    assert page.get_by_text("10.60000").is_visible()
    snap(page, "05-prefixes")

    page.get_by_role("link", name="Deposit credentials").click()
    page.get_by_label("Label").last.fill("our journal system")
    page.get_by_role("button", name="Create the token").click()
    token = page.locator("code.secret").inner_text().strip()
    snap(page, "06-token-shown-once")
    assert credential_authenticate(login_id="", password=token) is not None

    page.get_by_role("link", name="Back to the credentials").click()
    assert token not in page.content()
    page.get_by_role("button", name=re.compile("Revoke")).click()
    page.get_by_text("revoked: it no longer works for deposits").wait_for()
    snap(page, "07-token-revoked")
    assert credential_authenticate(login_id="", password=token) is None
    assert DepositCredential.objects.get().revoked_at is not None
