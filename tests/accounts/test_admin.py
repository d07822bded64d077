"""The staff back office: every accounts page of the admin opens, with rows present and
with a search, and the actions call the services (status changes with a reason and an
audit record, prefixes from the pool, approvals that refuse to run twice)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts import services
from accounts.models import (
    ApplicationStatus,
    AuditEvent,
    Invitation,
    MembershipApplication,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Prefix,
    Role,
)
from tests.factories import (
    ApplicationFactory,
    ContactFactory,
    InvitationFactory,
    OrganisationFactory,
    PrefixFactory,
    member,
    staff,
)

pytestmark = pytest.mark.django_db

ACCOUNTS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "accounts"),
    key=lambda model: model._meta.model_name,
)


def model_id(model) -> str:
    return model._meta.model_name


def admin_url(model, page: str, *args) -> str:
    return reverse(f"admin:accounts_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def superuser_client(client):
    user = staff(email="back-office@portal.example")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def rows():
    """At least one row of every accounts model."""
    sponsor = OrganisationFactory(name="Xylem Sponsor Services", kind=OrganisationKind.SPONSOR)
    organisation = OrganisationFactory(
        name="Xanthe Sponsored Press", kind=OrganisationKind.SPONSORED_MEMBER, sponsor=sponsor
    )
    prefix = PrefixFactory(value="10.5555", organisation=sponsor)
    services.prefix_transfer(prefix=prefix, to_organisation=organisation, actor=None, reason="x")
    ContactFactory(organisation=organisation, email="xavier@xanthe.example")
    person = member(organisation, Role.ADMIN, Role.DEPOSITOR, email="xena@xanthe.example")
    InvitationFactory(organisation=organisation, email="xiomara@xanthe.example")
    services.credential_create_role(organisation=organisation, username="xanthe-ojs", actor=person)
    services.credential_create_token(organisation=organisation, actor=person, label="x token")
    ApplicationFactory(organisation_name="Xerxes Applicant Press")
    services.audit_record(actor=person, action="test.x", target=organisation, organisation=organisation)
    billing_rows(organisation)
    return organisation


def billing_rows(organisation):
    """A ledger row, an issued and paid invoice with its line, payment and number, and a credit note."""
    from accounts.billing import services as billing
    from tests.accounts.billing.helpers import register

    register(organisation, "2026-07-01")
    [invoice] = billing.registration_invoices_create(period="2026-Q3")
    invoice = billing.invoice_issue(invoice=invoice, actor=None)
    invoice = billing.invoice_mark_paid(invoice=invoice, actor=None)
    billing.credit_note_create(invoice=invoice, actor=None, reason="x")


def test_every_accounts_model_is_in_the_admin():
    from django.apps import apps

    assert set(ACCOUNTS_MODELS) == set(apps.get_app_config("accounts").get_models())


@pytest.mark.parametrize("model", ACCOUNTS_MODELS, ids=model_id)
@pytest.mark.parametrize("query", ["", "?q=x", "?q=10.5555", "?q=90001", "?q=%22unterminated"])
def test_changelist_opens(superuser_client, rows, model, query):
    response = superuser_client.get(admin_url(model, "changelist") + query)
    assert response.status_code == 200
    changelist = response.context["cl"]
    if not query:
        assert changelist.result_count >= 1, f"no {model._meta.verbose_name} rows to show"


@pytest.mark.parametrize("model", ACCOUNTS_MODELS, ids=model_id)
def test_add_page_opens_where_adding_is_allowed(superuser_client, rows, model):
    model_admin = admin.site._registry[model]
    response = superuser_client.get(admin_url(model, "add"))
    request = response.wsgi_request
    if model_admin.has_add_permission(request):
        assert response.status_code == 200
        assert response.context["adminform"] is not None
    else:
        # Transfers, credentials and audit events are made by services only.
        assert response.status_code == 403


@pytest.mark.parametrize("model", ACCOUNTS_MODELS, ids=model_id)
def test_change_page_opens(superuser_client, rows, model):
    obj = model._default_manager.first()
    response = superuser_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


def test_search_finds_organisations_by_name_prefix_member_id_and_contact(superuser_client, rows):
    other = OrganisationFactory(name="Unrelated Press")
    url = admin_url(Organisation, "changelist")
    for query in ("Xanthe", "10.5555", str(rows.member_id), "xavier@xanthe.example"):
        found = list(superuser_client.get(url, {"q": query}).context["cl"].result_list)
        assert found == [rows], query
    assert other not in superuser_client.get(url, {"q": "x"}).context["cl"].result_list


def test_credentials_admin_never_shows_a_secret(superuser_client):
    organisation = OrganisationFactory()
    credential, password = services.credential_create_role(
        organisation=organisation, username="see-me", actor=None
    )
    token_credential, token = services.credential_create_token(organisation=organisation, actor=None)
    for obj in (credential, token_credential):
        body = superuser_client.get(admin_url(type(obj), "change", obj.pk)).content.decode()
        assert password not in body and token not in body and token.split("_", 2)[2] not in body
    body = superuser_client.get(admin_url(type(credential), "changelist")).content.decode()
    assert "see-me" in body and password not in body


def test_non_staff_cannot_open_the_admin(client):
    client.force_login(member(OrganisationFactory(), Role.ADMIN))
    response = client.get(admin_url(Organisation, "changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


# Organisation actions


def act(client, action: str, objects, follow=True, **data):
    model = type(objects[0])
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **data},
        follow=follow,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_suspend_needs_a_reason(superuser_client):
    first, second = OrganisationFactory(name="First Press"), OrganisationFactory(name="Second Press")

    response = act(superuser_client, "suspend", [first, second])
    assert response.status_code == 200
    body = response.content.decode()
    assert "Suspend" in body and 'name="reason"' in body
    assert "First Press" in body and "Second Press" in body

    response = act(superuser_client, "suspend", [first, second], apply="1", reason="  ")
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert set(Organisation.objects.values_list("status", flat=True)) == {OrganisationStatus.ACTIVE}
    assert not AuditEvent.objects.exists()

    response = act(
        superuser_client, "suspend", [first, second], apply="1", reason="Invoices unpaid since March"
    )
    assert "Organisations suspended: 2." in messages_of(response)
    for organisation in (first, second):
        organisation.refresh_from_db()
        assert organisation.status == OrganisationStatus.SUSPENDED
        event = AuditEvent.objects.get(action="organisation.status.suspended", organisation=organisation)
        assert event.actor == superuser_client.user
        assert (event.before, event.after) == ({"status": "active"}, {"status": "suspended"})
        assert event.message == "Invoices unpaid since March"


def test_suspended_members_cannot_deposit_until_reactivated(superuser_client):
    organisation = OrganisationFactory()
    _credential, password = services.credential_create_role(
        organisation=organisation, username="depo-login", actor=None
    )
    act(superuser_client, "suspend", [organisation], apply="1", reason="Unpaid")
    assert services.credential_authenticate(login_id="depo-login", password=password) is None

    response = act(superuser_client, "reactivate", [organisation])
    assert "Organisations reactivated: 1." in messages_of(response)
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.ACTIVE
    event = AuditEvent.objects.get(action="organisation.status.active")
    assert (event.actor, event.before, event.after) == (
        superuser_client.user,
        {"status": "suspended"},
        {"status": "active"},
    )
    assert services.credential_authenticate(login_id="depo-login", password=password) is not None


def test_a_closed_organisation_cannot_be_reactivated(superuser_client):
    organisation = OrganisationFactory(name="Closed Press")
    act(superuser_client, "close", [organisation], apply="1", reason="Ceased publishing")
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.CLOSED

    response = act(superuser_client, "reactivate", [organisation])
    assert any("Closed Press is closed; it cannot become active." in m for m in messages_of(response))
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.CLOSED
    assert not AuditEvent.objects.filter(action="organisation.status.active").exists()


def test_assign_prefix_action(superuser_client, settings):
    settings.PREFIX_POOL_START, settings.PREFIX_POOL_END = 61000, 61010
    PrefixFactory(value="10.61000")
    active = OrganisationFactory(name="Active Press")
    applicant = OrganisationFactory(name="Applicant Press", status=OrganisationStatus.APPLICANT)

    response = act(superuser_client, "assign_prefix", [active, applicant])
    messages = messages_of(response)
    assert "Prefixes assigned: 1." in messages
    assert any(
        m.startswith("Applicant Press (") and "only active organisations receive prefixes" in m
        for m in messages
    )
    assert list(active.prefixes.values_list("value", flat=True)) == ["10.61001"]
    assert not applicant.prefixes.exists()
    assert AuditEvent.objects.get(action="prefix.assign").actor == superuser_client.user

    act(superuser_client, "assign_prefix", [active])
    assert sorted(active.prefixes.values_list("value", flat=True)) == ["10.61001", "10.61002"]


def test_admin_edit_of_an_organisation_is_audited(superuser_client):
    organisation = OrganisationFactory(name="Before Edit Press")
    data = {
        "name": "After Edit Press",
        "member_id": organisation.member_id,
        "kind": organisation.kind,
        "country": "GB",
        "revenue_tier": organisation.revenue_tier,
        "website": "",
        "address": "",
        "sponsor": "",
    }
    for prefix in ("contacts", "memberships", "prefixes"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    response = superuser_client.post(admin_url(Organisation, "change", organisation.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert organisation.name == "After Edit Press"
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.actor == superuser_client.user and event.after == {"name": "After Edit Press"}


# Application actions


def test_approving_an_approved_application_again_changes_nothing(superuser_client, settings):
    settings.PREFIX_POOL_START, settings.PREFIX_POOL_END = 62000, 62010
    application = ApplicationFactory(organisation_name="Twice Approved Press")
    act(superuser_client, "approve", [application])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    organisation = application.organisation
    reviewed_at = application.reviewed_at
    counts = (Organisation.objects.count(), Prefix.objects.count(), AuditEvent.objects.count())

    response = act(superuser_client, "approve", [application])
    messages = messages_of(response)
    assert any("The application of Twice Approved Press was already approved." in m for m in messages)
    assert not any(m.startswith("Applications approved") for m in messages)
    application.refresh_from_db()
    assert (application.status, application.organisation, application.reviewed_at) == (
        ApplicationStatus.APPROVED,
        organisation,
        reviewed_at,
    )
    assert (Organisation.objects.count(), Prefix.objects.count(), AuditEvent.objects.count()) == counts
    assert list(organisation.prefixes.values_list("value", flat=True)) == ["10.62000"]


def test_approving_a_rejected_application_is_refused(superuser_client):
    application = ApplicationFactory(organisation_name="Rejected Press")
    services.application_reject(application=application, actor=None, reason="Not a publisher")
    response = act(superuser_client, "approve", [application])
    assert any("was already rejected" in m for m in messages_of(response))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED and application.organisation is None
    assert not Organisation.objects.exists()


def test_approve_reports_each_application(superuser_client):
    done = ApplicationFactory(organisation_name="Done Press")
    services.application_approve(application=done, actor=None)
    pending = ApplicationFactory(organisation_name="Pending Press")
    response = act(superuser_client, "approve", [done, pending])
    messages = messages_of(response)
    assert "Applications approved: 1." in messages
    assert any("Done Press" in m and "already approved" in m for m in messages)
    assert MembershipApplication.objects.get(pk=pending.pk).status == ApplicationStatus.APPROVED


def test_invitation_admin_lists_open_and_closed_invitations(superuser_client):
    InvitationFactory(email="open@example.org")
    closed = InvitationFactory(email="closed@example.org")
    services.invitation_revoke(invitation=closed, actor=None)
    body = superuser_client.get(admin_url(Invitation, "changelist")).content.decode()
    assert "open@example.org" in body and "closed@example.org" in body
