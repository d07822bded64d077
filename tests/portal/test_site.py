"""The site shell: home, login by email, password reset, error pages, health check."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_home_invites_to_apply_and_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/join/"' in response.content
    assert b'href="/auth/login/"' in response.content
    assert b'<html lang="en">' in response.content
    assert b'href="#main"' in response.content  # skip link for keyboard users


def test_login_by_email_is_case_insensitive_and_logout_needs_post(client):
    UserFactory(email="reader@example.org")
    response = client.post(reverse("login"), {"username": "Reader@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("accounts:home")).status_code == 302


def test_wrong_password_says_so(client):
    UserFactory(email="reader@example.org")
    response = client.post(reverse("login"), {"username": "reader@example.org", "password": "nope"})
    assert response.status_code == 200
    assert b"correct email and password" in response.content


def test_password_reset_mails_a_working_link(client):
    user = UserFactory(email="forgetful@example.org")
    client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-phrase", "new_password2": "a-brand-new-phrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-phrase")


def test_csrf_is_enforced_on_forms():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("join"), {"organisation_name": "X"})
    assert response.status_code == 403


def test_error_pages_are_friendly(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"/no/such/page/" in response.content


def test_server_error_page_renders_without_context():
    from django.test import RequestFactory

    from portal.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Nothing you submitted was lost" in response.content


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
