"""People, contacts and the profile of a member: invitations by email and their links,
roles, the last-admin rule, contacts, and the audited profile."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Contact, Invitation, Membership, Role, User
from tests.factories import (
    PASSWORD,
    ContactFactory,
    InvitationFactory,
    OrganisationFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Meadow University Press", member_id=7001)


@pytest.fixture
def admin(organisation):
    return member(organisation, Role.ADMIN, email="admin@meadow.example")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def url(name: str, organisation, *args) -> str:
    return reverse(f"accounts:{name}", args=[organisation.member_id, *args])


def roles_of(user: User, organisation) -> set[str]:
    return set(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def invitation_link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


# Invitations


def invite(client, organisation, django_capture_on_commit_callbacks, email, roles):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("people", organisation), {"email": email, "roles": roles}, follow=True)
    assert response.status_code == 200
    return response


def test_invite_a_newcomer_who_signs_up(admin_client, organisation, django_capture_on_commit_callbacks):
    response = invite(
        admin_client,
        organisation,
        django_capture_on_commit_callbacks,
        "New.Editor@Meadow.example",
        ["depositor", "billing"],
    )
    assert "Invitation sent to new.editor@meadow.example." in messages_of(response)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.roles) == ("new.editor@meadow.example", ["depositor", "billing"])
    assert "new.editor@meadow.example" in response.content.decode()  # listed as open
    assert AuditEvent.objects.filter(action="invitation.create", organisation=organisation).exists()

    (message,) = mail.outbox
    assert message.to == ["new.editor@meadow.example"]
    assert "Meadow University Press" in message.subject + message.body
    link = invitation_link(message)
    assert reverse("accounts:invitation", args=["x"]).rsplit("x", 1)[0] in link

    admin_client.logout()
    response = admin_client.get(link)
    assert response.status_code == 200
    assert response.context["signup"] is not None
    body = response.content.decode()
    assert 'name="password1"' in body and "new.editor@meadow.example" in body
    assert not User.objects.filter(email="new.editor@meadow.example").exists()

    response = admin_client.post(
        link,
        {
            "full_name": "Nia Editor",
            "password1": "a-long-new-passphrase",
            "password2": "a-long-new-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("profile", organisation)
    user = User.objects.get(email="new.editor@meadow.example")
    assert user.full_name == "Nia Editor" and user.check_password("a-long-new-passphrase")
    assert roles_of(user, organisation) == {"depositor", "billing"}
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None

    # Logged in as the new person, with the invited roles.
    response = admin_client.get(url("credentials", organisation))
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    # The link is used up.
    admin_client.logout()
    assert admin_client.get(link).status_code == 410


def test_signup_with_differing_passwords_creates_nobody(client, organisation):
    invitation = InvitationFactory(organisation=organisation, email="new@meadow.example")
    link = reverse("accounts:invitation", args=[services.invitation_token(invitation)])
    response = client.post(
        link, {"full_name": "New", "password1": "a-long-new-passphrase", "password2": "other-pass"}
    )
    assert response.status_code == 200
    assert "password2" in response.context["signup"].errors
    assert not User.objects.filter(email="new@meadow.example").exists()
    assert Invitation.objects.get().is_open


def test_someone_with_a_login_accepts_after_logging_in(client, organisation):
    existing = UserFactory(email="known@meadow.example")
    invitation = InvitationFactory(organisation=organisation, email="known@meadow.example", roles=["viewer"])
    link = reverse("accounts:invitation", args=[services.invitation_token(invitation)])

    response = client.get(link)
    assert response.status_code == 200 and response.context["signup"] is None
    assert f"{reverse('login')}?next=" in response.content.decode()
    response = client.post(
        link, {"full_name": "Imposter", "password1": "x-long-passphrase", "password2": "x-long-passphrase"}
    )
    assert User.objects.get(email="known@meadow.example").check_password(PASSWORD)  # no takeover
    assert roles_of(existing, organisation) == set()

    assert client.login(username="known@meadow.example", password=PASSWORD)
    response = client.post(link)
    assert response.status_code == 302
    assert roles_of(existing, organisation) == {"viewer"}
    assert not Invitation.objects.get().is_open


def test_accepting_as_someone_else_is_refused(client, organisation):
    invitation = InvitationFactory(organisation=organisation, email="invited@meadow.example", roles=["admin"])
    intruder = UserFactory(email="intruder@elsewhere.example")
    client.force_login(intruder)
    link = reverse("accounts:invitation", args=[services.invitation_token(invitation)])
    response = client.post(link, follow=True)
    assert response.status_code == 200
    assert any("This invitation is for invited@meadow.example" in m for m in messages_of(response))
    assert roles_of(intruder, organisation) == set()
    invitation.refresh_from_db()
    assert invitation.is_open and invitation.accepted_by is None


@pytest.mark.parametrize(
    "closed",
    [
        {"revoked_at": timezone.now},
        {"expires_at": lambda: timezone.now() - timedelta(minutes=1)},
        {"accepted_at": timezone.now},
    ],
    ids=["revoked", "expired", "used"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_closed_invitations_are_gone(client, organisation, closed, method):
    invitation = InvitationFactory(
        organisation=organisation, email="late@meadow.example", **{k: v() for k, v in closed.items()}
    )
    link = reverse("accounts:invitation", args=[services.invitation_token(invitation)])
    data = {"full_name": "Late", "password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"}
    response = client.get(link) if method == "get" else client.post(link, data)
    assert response.status_code == 410
    assert b"This invitation no longer works" in response.content
    assert not User.objects.filter(email="late@meadow.example").exists()
    assert not Membership.objects.filter(organisation=organisation).exists()


def test_a_forged_token_is_gone(client, organisation):
    invitation = InvitationFactory(organisation=organisation)
    token = services.invitation_token(invitation)
    assert client.get(reverse("accounts:invitation", args=[token[:-2] + "xx"])).status_code == 410
    assert client.get(reverse("accounts:invitation", args=["not-a-token"])).status_code == 410


def test_inviting_a_member_is_a_field_error(admin_client, organisation, admin):
    response = admin_client.post(
        url("people", organisation), {"email": "ADMIN@meadow.example", "roles": ["viewer"]}
    )
    assert response.status_code == 200
    assert "already acts for" in response.context["form"].errors["email"][0]
    assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_the_open_one(
    admin_client, organisation, django_capture_on_commit_callbacks
):
    invite(admin_client, organisation, django_capture_on_commit_callbacks, "twice@meadow.example", ["viewer"])
    invite(
        admin_client, organisation, django_capture_on_commit_callbacks, "twice@meadow.example", ["depositor"]
    )
    first, second = Invitation.objects.order_by("created_at", "pk")
    assert not first.is_open and first.revoked_at is not None
    assert second.is_open and second.roles == ["depositor"]
    old_link, new_link = (invitation_link(message) for message in mail.outbox)
    assert admin_client.get(old_link).status_code == 410
    admin_client.logout()
    assert admin_client.get(new_link).status_code == 200


def test_revoke_an_invitation(admin_client, organisation):
    invitation = InvitationFactory(organisation=organisation, email="revoke-me@meadow.example")
    response = admin_client.post(url("invitation_revoke", organisation, invitation.pk), follow=True)
    assert "Invitation of revoke-me@meadow.example revoked." in messages_of(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="invitation.revoke", target_id=str(invitation.pk)).exists()
    admin_client.logout()
    link = reverse("accounts:invitation", args=[services.invitation_token(invitation)])
    assert admin_client.get(link).status_code == 410


# Roles


def test_change_roles(admin_client, organisation, admin):
    person = member(organisation, Role.VIEWER, email="person@meadow.example")
    response = admin_client.post(
        url("person_roles", organisation, person.pk), {"roles": ["depositor", "billing"]}, follow=True
    )
    assert "person@meadow.example now has: depositor, billing." in messages_of(response)
    assert roles_of(person, organisation) == {"depositor", "billing"}
    event = AuditEvent.objects.get(action="membership.roles", target_id=str(person.pk))
    assert (event.actor, event.before, event.after) == (
        admin,
        {"roles": ["viewer"]},
        {"roles": ["depositor", "billing"]},
    )


def test_change_roles_needs_a_role(admin_client, organisation):
    person = member(organisation, Role.VIEWER, email="person@meadow.example")
    response = admin_client.post(url("person_roles", organisation, person.pk), {"roles": []}, follow=True)
    assert any("choose at least one role" in m for m in messages_of(response))
    response = admin_client.post(
        url("person_roles", organisation, person.pk), {"roles": ["owner"]}, follow=True
    )
    assert roles_of(person, organisation) == {"viewer"}


def test_the_last_admin_cannot_be_demoted(admin_client, organisation, admin):
    response = admin_client.post(
        url("person_roles", organisation, admin.pk), {"roles": ["viewer"]}, follow=True
    )
    assert any(
        "admin@meadow.example is the only admin of Meadow University Press" in m
        for m in messages_of(response)
    )
    assert roles_of(admin, organisation) == {"admin"}
    assert not AuditEvent.objects.filter(action="membership.roles").exists()


def test_the_last_admin_cannot_be_removed(admin_client, organisation, admin):
    # An inactive admin does not count: nobody could act as them.
    member(organisation, Role.ADMIN, email="gone@meadow.example", is_active=False)
    response = admin_client.post(url("person_remove", organisation, admin.pk), follow=True)
    assert any(
        "is the only admin" in m and "make someone else admin first" in m for m in messages_of(response)
    )
    assert roles_of(admin, organisation) == {"admin"}
    assert not AuditEvent.objects.filter(action="membership.remove").exists()


def test_an_admin_can_step_down_when_another_remains(admin_client, organisation, admin):
    other = member(organisation, Role.ADMIN, email="other-admin@meadow.example")
    admin_client.post(url("person_roles", organisation, admin.pk), {"roles": ["depositor"]})
    assert roles_of(admin, organisation) == {"depositor"}
    assert roles_of(other, organisation) == {"admin"}
    # No longer admin, so the people page no longer accepts their changes.
    response = admin_client.post(url("person_roles", organisation, other.pk), {"roles": ["viewer"]})
    assert response.status_code == 403
    assert roles_of(other, organisation) == {"admin"}


def test_remove_a_person(admin_client, organisation, admin):
    person = member(organisation, Role.DEPOSITOR, Role.BILLING, email="leaving@meadow.example")
    elsewhere = OrganisationFactory()
    Membership.objects.create(user=person, organisation=elsewhere, role=Role.VIEWER)
    response = admin_client.post(url("person_remove", organisation, person.pk), follow=True)
    assert "leaving@meadow.example no longer acts for Meadow University Press." in messages_of(response)
    assert roles_of(person, organisation) == set()
    assert roles_of(person, elsewhere) == {"viewer"}  # only this organisation's roles go
    assert User.objects.filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(action="membership.remove")
    assert sorted(event.before["roles"]) == ["billing", "depositor"] and event.actor == admin
    assert [person.user.email for person in response.context["people"]] == ["admin@meadow.example"]


# Contacts


def test_add_a_contact(admin_client, organisation):
    data = {"role": "technical", "name": " Tech Person ", "email": "Tech@Meadow.example", "phone": "+44 1"}
    response = admin_client.post(url("contacts", organisation), data, follow=True)
    assert "Contact Tech Person added." in messages_of(response)
    contact = organisation.contacts.get()
    assert (contact.role, contact.name, contact.email, contact.phone) == (
        "technical",
        "Tech Person",
        "tech@meadow.example",
        "+44 1",
    )
    assert "tech@meadow.example" in response.content.decode()
    assert AuditEvent.objects.get(action="contact.create").after["email"] == "tech@meadow.example"


def test_adding_a_contact_twice_is_a_form_error(admin_client, organisation):
    ContactFactory(organisation=organisation, role="billing", email="bills@meadow.example")
    data = {"role": "billing", "name": "Bills Again", "email": "bills@meadow.example"}
    response = admin_client.post(url("contacts", organisation), data)
    assert response.status_code == 200
    assert "is already the billing contact" in response.context["form"].errors["email"][0]
    assert organisation.contacts.count() == 1
    # The same address in another role is a different contact.
    response = admin_client.post(url("contacts", organisation), {**data, "role": "technical"})
    assert response.status_code == 302
    assert organisation.contacts.count() == 2


def test_contact_form_errors_name_the_field(admin_client, organisation):
    response = admin_client.post(
        url("contacts", organisation), {"role": "primary", "name": "X", "email": "nope"}
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not organisation.contacts.exists()


def test_edit_a_contact_is_audited_with_before_and_after(admin_client, organisation, admin):
    contact = ContactFactory(
        organisation=organisation, role="primary", name="Old Name", email="old@meadow.example"
    )
    edit = url("contact_edit", organisation, contact.pk)
    response = admin_client.get(edit)
    assert response.status_code == 200 and "old@meadow.example" in response.content.decode()
    response = admin_client.post(edit, {"role": "primary", "name": "New Name", "email": "new@meadow.example"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("New Name", "new@meadow.example")
    event = AuditEvent.objects.get(action="contact.update")
    assert event.actor == admin
    assert (event.before["name"], event.before["email"]) == ("Old Name", "old@meadow.example")
    assert (event.after["name"], event.after["email"]) == ("New Name", "new@meadow.example")


def test_editing_a_contact_into_a_duplicate_is_a_form_error(admin_client, organisation):
    ContactFactory(organisation=organisation, role="primary", email="taken@meadow.example")
    contact = ContactFactory(
        organisation=organisation, role="primary", name="Keep", email="keep@meadow.example"
    )
    response = admin_client.post(
        url("contact_edit", organisation, contact.pk),
        {"role": "primary", "name": "Keep", "email": "taken@meadow.example"},
    )
    assert response.status_code == 200
    assert "is already the primary contact" in response.context["form"].errors["email"][0]
    contact.refresh_from_db()
    assert contact.email == "keep@meadow.example"


def test_delete_a_contact(admin_client, organisation):
    contact = ContactFactory(organisation=organisation, name="Gone Soon", email="gone@meadow.example")
    keep = ContactFactory(organisation=organisation, name="Stays", email="stays@meadow.example")
    response = admin_client.post(url("contact_delete", organisation, contact.pk), follow=True)
    assert "Contact Gone Soon removed." in messages_of(response)
    assert list(Contact.objects.all()) == [keep]
    event = AuditEvent.objects.get(action="contact.delete")
    assert event.before["email"] == "gone@meadow.example" and event.organisation == organisation


def test_non_admins_see_contacts_without_forms(client, organisation):
    ContactFactory(organisation=organisation, email="visible@meadow.example")
    client.force_login(member(organisation, Role.VIEWER))
    response = client.get(url("contacts", organisation))
    body = response.content.decode()
    assert "visible@meadow.example" in body
    assert "Add a contact" not in body and "/edit/" not in body and "/delete/" not in body


# Profile


def test_admin_edits_the_profile_with_an_audit_record(admin_client, organisation, admin):
    before_name = organisation.name
    response = admin_client.get(url("profile", organisation))
    assert response.context["form"] is not None and 'name="name"' in response.content.decode()
    data = {
        "name": "Meadow Academic Press",
        "country": "IE",
        "revenue_tier": "1m_5m",
        "website": "https://meadow.example",
        "address": "1 Field Lane",
    }
    response = admin_client.post(url("profile", organisation), data, follow=True)
    assert "Profile saved." in messages_of(response)
    organisation.refresh_from_db()
    assert (organisation.name, organisation.country.code, organisation.revenue_tier) == (
        "Meadow Academic Press",
        "IE",
        "1m_5m",
    )
    event = AuditEvent.objects.get(action="organisation.update")
    assert (event.actor, event.organisation) == (admin, organisation)
    assert event.before == {
        "name": before_name,
        "country": "GB",
        "revenue_tier": "lt_1m",
        "website": "",
        "address": "",
    }
    assert event.after == {
        "name": "Meadow Academic Press",
        "country": "IE",
        "revenue_tier": "1m_5m",
        "website": "https://meadow.example",
        "address": "1 Field Lane",
    }
    assert "organisation.update" in admin_client.get(url("activity", organisation)).content.decode()


def test_saving_an_unchanged_profile_writes_no_audit(admin_client, organisation):
    data = {"name": organisation.name, "country": "GB", "revenue_tier": "lt_1m", "website": "", "address": ""}
    assert admin_client.post(url("profile", organisation), data).status_code == 302
    assert not AuditEvent.objects.filter(action="organisation.update").exists()


def test_profile_errors_name_the_field_and_change_nothing(admin_client, organisation):
    data = {"name": "", "country": "IE", "revenue_tier": "lt_1m", "website": "not a url"}
    response = admin_client.post(url("profile", organisation), data)
    assert response.status_code == 200
    assert {"name", "website"} <= set(response.context["form"].errors)
    organisation.refresh_from_db()
    assert organisation.country.code == "GB"
    assert not AuditEvent.objects.exists()


def test_a_refused_profile_edit_does_not_show_the_new_name_as_saved(admin_client, organisation):
    data = {"name": "Not Saved Press", "country": "GB", "revenue_tier": "lt_1m", "website": "not a url"}
    response = admin_client.post(url("profile", organisation), data)
    assert response.status_code == 200 and "website" in response.context["form"].errors
    assert "<h1>Meadow University Press</h1>" in response.content.decode()
    assert 'value="Not Saved Press"' in response.content.decode()  # what was typed stays in the form
    organisation.refresh_from_db()
    assert organisation.name == "Meadow University Press"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DEPOSITOR, Role.BILLING])
def test_non_admins_see_the_profile_read_only(client, organisation, role):
    organisation.website = "https://meadow.example"
    organisation.save()
    client.force_login(member(organisation, role))
    response = client.get(url("profile", organisation))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Only admins can change the profile." in body
    assert "https://meadow.example" in body and "United Kingdom" in body
    assert '<form method="post" novalidate' not in body and 'name="name"' not in body
    response = client.post(url("profile", organisation), {"name": "Hijacked", "revenue_tier": "lt_1m"})
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Meadow University Press"
