"""Deposit credentials: secrets are stored hashed only, shown once, checked by
`credential_authenticate` (role logins, personal `email/role` logins, API tokens), and
revoked from the member's credentials page."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, DepositCredential, OrganisationStatus, Role
from tests.factories import PASSWORD, OrganisationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Riverbank Press")


@pytest.fixture
def role_login(organisation):
    return services.credential_create_role(
        organisation=organisation, username="riverbank-ojs", actor=None, label="OJS"
    )


@pytest.fixture
def token(organisation):
    return services.credential_create_token(organisation=organisation, actor=None, label="CI")


def raw_row(credential: DepositCredential) -> dict:
    """The credential's row as the database holds it, every column."""
    table = connection.ops.quote_name(DepositCredential._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [credential.pk])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def assert_not_stored(secret: str, credential: DepositCredential) -> None:
    row = raw_row(credential)
    assert len(row) == len(DepositCredential._meta.concrete_fields)
    for column, value in row.items():
        assert secret not in str(value), f"the secret is stored in plain text in {column}"


# Hashing


def test_role_password_is_stored_hashed_only(role_login):
    credential, password = role_login
    assert len(password) >= 20
    assert_not_stored(password, credential)
    stored = raw_row(credential)["password_hash"]
    assert stored != password
    assert check_password(password, stored)
    assert not check_password(password + "x", stored)
    assert raw_row(credential)["token_hash"] == ""


def test_token_is_stored_as_sha256_only(token):
    credential, secret_token = token
    mark, lookup, secret = secret_token.split("_", 2)
    assert mark == "dpt"
    assert_not_stored(secret_token, credential)
    assert_not_stored(secret, credential)
    row = raw_row(credential)
    assert row["token_prefix"] == lookup
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["password_hash"] == ""


def test_every_credential_gets_its_own_secret(organisation):
    _first, one = services.credential_create_role(organisation=organisation, username="one-login", actor=None)
    _second, two = services.credential_create_role(
        organisation=organisation, username="two-login", actor=None
    )
    assert one != two
    assert (
        services.credential_create_token(organisation=organisation, actor=None)[1]
        != (services.credential_create_token(organisation=organisation, actor=None)[1])
    )


def test_creation_is_audited_without_the_secret(organisation):
    actor = member(organisation, Role.ADMIN)
    credential, password = services.credential_create_role(
        organisation=organisation, username="audited-login", actor=actor
    )
    event = AuditEvent.objects.get(action="credential.create", target_id=str(credential.pk))
    assert (event.actor, event.organisation) == (actor, organisation)
    assert event.after["username"] == "audited-login"
    assert password not in str(event.after) + event.message + event.target_repr


# Authentication


def test_role_login_authenticates(organisation, role_login):
    credential, password = role_login
    identity = services.credential_authenticate(login_id="riverbank-ojs", password=password)
    assert identity is not None
    assert (identity.organisation, identity.credential, identity.user) == (organisation, credential, None)
    assert identity.login_name == "riverbank-ojs"
    assert services.credential_authenticate(login_id=" Riverbank-OJS ", password=password) is not None


@pytest.mark.parametrize("login_id", ["", "anything", "riverbank-ojs"])
def test_token_as_password(organisation, token, login_id):
    credential, secret_token = token
    identity = services.credential_authenticate(login_id=login_id, password=secret_token)
    assert identity is not None
    assert (identity.organisation, identity.credential, identity.user) == (organisation, credential, None)
    assert identity.login_name == f"token {credential.token_prefix}"


@pytest.mark.parametrize("password", ["", None])
def test_token_as_login_id(organisation, token, password):
    credential, secret_token = token
    identity = services.credential_authenticate(login_id=secret_token, password=password)
    assert identity is not None and identity.credential == credential


@pytest.mark.parametrize("role", [Role.DEPOSITOR, Role.ADMIN])
def test_personal_login_for_people_who_deposit(organisation, role_login, role):
    credential, _password = role_login
    person = member(organisation, role, email="editor@riverbank.example")
    identity = services.credential_authenticate(
        login_id="Editor@Riverbank.example/riverbank-ojs", password=PASSWORD
    )
    assert identity is not None
    assert (identity.organisation, identity.credential, identity.user) == (organisation, credential, person)
    assert identity.login_name == "editor@riverbank.example/riverbank-ojs"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BILLING])
def test_personal_login_refused_for_people_who_do_not_deposit(organisation, role_login, role):
    member(organisation, role, email="reader@riverbank.example")
    assert (
        services.credential_authenticate(login_id="reader@riverbank.example/riverbank-ojs", password=PASSWORD)
        is None
    )


def test_personal_login_refused_for_another_organisations_role(organisation, role_login):
    """A depositor of one member may not use another member's role login."""
    elsewhere = OrganisationFactory()
    member(elsewhere, Role.DEPOSITOR, email="outsider@elsewhere.example")
    assert (
        services.credential_authenticate(
            login_id="outsider@elsewhere.example/riverbank-ojs", password=PASSWORD
        )
        is None
    )


def test_personal_login_refused_for_an_inactive_user(organisation, role_login):
    member(organisation, Role.DEPOSITOR, email="left@riverbank.example", is_active=False)
    assert (
        services.credential_authenticate(login_id="left@riverbank.example/riverbank-ojs", password=PASSWORD)
        is None
    )


def test_personal_login_needs_the_persons_own_password(organisation, role_login):
    _credential, role_password = role_login
    member(organisation, Role.DEPOSITOR, email="editor@riverbank.example")
    login_id = "editor@riverbank.example/riverbank-ojs"
    assert services.credential_authenticate(login_id=login_id, password=role_password) is None
    assert services.credential_authenticate(login_id=login_id, password="wrong") is None


def test_wrong_or_missing_secrets_are_refused(role_login, token):
    _credential, password = role_login
    _token_credential, secret_token = token
    refused = [
        ("riverbank-ojs", password + "x"),
        ("riverbank-ojs", ""),
        ("riverbank-ojs", None),
        ("", password),
        (None, None),
        ("nobody", password),
        ("nobody@riverbank.example/riverbank-ojs", PASSWORD),
        ("riverbank-ojs", secret_token[:-1] + ("A" if secret_token[-1] != "A" else "B")),
        ("riverbank-ojs", "dpt_000000000000_" + secret_token.split("_", 2)[2]),
        ("riverbank-ojs", "dpt_malformed"),
    ]
    for login_id, secret in refused:
        assert services.credential_authenticate(login_id=login_id, password=secret) is None, (
            login_id,
            secret,
        )


def test_revoked_credentials_are_refused(organisation, role_login, token):
    credential, password = role_login
    token_credential, secret_token = token
    member(organisation, Role.DEPOSITOR, email="editor@riverbank.example")
    services.credential_revoke(credential=credential, actor=None)
    services.credential_revoke(credential=token_credential, actor=None)
    assert services.credential_authenticate(login_id="riverbank-ojs", password=password) is None
    assert services.credential_authenticate(login_id="", password=secret_token) is None
    assert (
        services.credential_authenticate(login_id="editor@riverbank.example/riverbank-ojs", password=PASSWORD)
        is None
    )


@pytest.mark.parametrize("status", [OrganisationStatus.SUSPENDED, OrganisationStatus.CLOSED])
def test_credentials_of_an_organisation_that_is_not_active_are_refused(
    organisation, role_login, token, status
):
    _credential, password = role_login
    _token_credential, secret_token = token
    member(organisation, Role.DEPOSITOR, email="editor@riverbank.example")
    services.organisation_set_status(organisation=organisation, status=status, actor=None, reason="Unpaid")
    assert services.credential_authenticate(login_id="riverbank-ojs", password=password) is None
    assert services.credential_authenticate(login_id="", password=secret_token) is None
    assert (
        services.credential_authenticate(login_id="editor@riverbank.example/riverbank-ojs", password=PASSWORD)
        is None
    )


def test_last_used_is_recorded_on_success_only(organisation, role_login, token):
    credential, password = role_login
    token_credential, secret_token = token
    assert credential.last_used_at is None
    services.credential_authenticate(login_id="riverbank-ojs", password="wrong")
    credential.refresh_from_db()
    assert credential.last_used_at is None

    services.credential_authenticate(login_id="riverbank-ojs", password=password)
    credential.refresh_from_db()
    first_use = credential.last_used_at
    assert first_use is not None

    member(organisation, Role.DEPOSITOR, email="editor@riverbank.example")
    services.credential_authenticate(login_id="editor@riverbank.example/riverbank-ojs", password=PASSWORD)
    credential.refresh_from_db()
    assert credential.last_used_at >= first_use

    services.credential_authenticate(login_id="", password=secret_token)
    token_credential.refresh_from_db()
    assert token_credential.last_used_at is not None


# The credentials page


@pytest.fixture
def admin_client(client, organisation):
    admin = member(organisation, Role.ADMIN, email="admin@riverbank.example")
    client.force_login(admin)
    client.admin = admin
    return client


def test_revoke_through_the_page(admin_client, organisation, role_login):
    credential, password = role_login
    response = admin_client.post(
        reverse("accounts:credential_revoke", args=[organisation.member_id, credential.pk]), follow=True
    )
    assert response.status_code == 200
    assert "revoked: it no longer works for deposits" in response.content.decode()
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoked_by == admin_client.admin
    assert AuditEvent.objects.filter(
        action="credential.revoke", target_id=str(credential.pk), actor=admin_client.admin
    ).exists()
    assert services.credential_authenticate(login_id="riverbank-ojs", password=password) is None
    assert "Revoked" in response.content.decode()


def test_role_login_password_is_shown_once(admin_client, organisation):
    url = reverse("accounts:credentials", args=[organisation.member_id])
    response = admin_client.post(
        url, {"kind": "role", "role-username": "Riverbank-Janeway", "role-label": "Janeway"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = response.context["secret"]
    credential = DepositCredential.objects.get(username="riverbank-janeway")
    assert credential.organisation == organisation and credential.label == "Janeway"
    assert credential.created_by == admin_client.admin
    assert password in response.content.decode()
    assert services.credential_authenticate(login_id="riverbank-janeway", password=password) is not None

    listing = admin_client.get(url).content.decode()
    assert "riverbank-janeway" in listing
    assert password not in listing
    assert credential.password_hash not in listing


def test_token_is_shown_once(admin_client, organisation):
    url = reverse("accounts:credentials", args=[organisation.member_id])
    response = admin_client.post(url, {"kind": "token", "token-label": "Nightly"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret_token = response.context["secret"]
    assert secret_token.startswith("dpt_") and secret_token in response.content.decode()
    credential = DepositCredential.objects.get(kind="token")
    assert services.credential_authenticate(login_id="", password=secret_token).credential == credential

    listing = admin_client.get(url).content.decode()
    assert f"dpt_{credential.token_prefix}_" in listing  # the lookup part identifies it
    assert secret_token not in listing
    assert secret_token.split("_", 2)[2] not in listing


def test_duplicate_username_is_a_field_error(admin_client, organisation, role_login):
    other = OrganisationFactory()
    services.credential_create_role(organisation=other, username="other-login", actor=None)
    url = reverse("accounts:credentials", args=[organisation.member_id])
    for taken in ("riverbank-ojs", "RIVERBANK-OJS", "other-login"):
        response = admin_client.post(url, {"kind": "role", "role-username": taken})
        assert response.status_code == 200
        errors = response.context["role_form"].errors
        assert "username" in errors and "is taken" in errors["username"][0]
    assert DepositCredential.objects.count() == 2


@pytest.mark.parametrize("username", ["bad user", "bad/slash", "ümlaut", "ab", "-leading-dash", "x" * 101])
def test_bad_username_is_a_field_error(admin_client, organisation, username):
    url = reverse("accounts:credentials", args=[organisation.member_id])
    response = admin_client.post(url, {"kind": "role", "role-username": username})
    assert response.status_code == 200
    assert "username" in response.context["role_form"].errors
    assert b"field-invalid" in response.content
    assert not DepositCredential.objects.exists()


def test_creating_without_a_kind_is_refused(admin_client, organisation):
    url = reverse("accounts:credentials", args=[organisation.member_id])
    response = admin_client.post(url, {"role-username": "no-kind-given"}, follow=True)
    assert response.status_code == 200
    assert "Choose whether to create a role login or an API token." in response.content.decode()
    assert not DepositCredential.objects.exists()
