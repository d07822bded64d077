"""Who may open and act on each page under /account/<member_id>/.

`for_organisation(read=..., write=...)` in accounts/views.py decides: GET needs one of the
read roles, POST one of the write roles, admin may do everything, a member without the
role gets 403, anyone who does not act for the organisation gets 404 (so guessing another
member's URL, or another member's object ids under one's own member id, reveals nothing),
and anonymous visitors are sent to the login page. Every page is checked for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import (
    AuditEvent,
    Contact,
    DepositCredential,
    Invitation,
    Membership,
    Organisation,
    Prefix,
    Role,
    User,
)
from tests.factories import (
    ContactFactory,
    InvitationFactory,
    OrganisationFactory,
    PrefixFactory,
    member,
)

pytestmark = pytest.mark.django_db

ROLES = [Role.ADMIN, Role.DEPOSITOR, Role.BILLING, Role.VIEWER]
EVERYONE = frozenset(ROLES)
ADMINS = frozenset({Role.ADMIN})
DEPOSITING = frozenset({Role.ADMIN, Role.DEPOSITOR})


@dataclass
class Account:
    """An organisation with one object of every kind its pages act on."""

    organisation: Organisation
    prefix: Prefix
    contact: Contact
    credential: DepositCredential
    invitation: Invitation
    person: User  # a viewer whom the admin pages act on
    by_role: dict[str, User] = field(default_factory=dict)

    def target(self, kind: str | None) -> int | None:
        return {
            None: None,
            "contact": self.contact.pk,
            "person": self.person.pk,
            "invitation": self.invitation.pk,
            "credential": self.credential.pk,
        }[kind]

    def secrets(self) -> list[str]:
        """Strings only someone acting for this organisation may see."""
        return [
            self.organisation.name,
            self.prefix.value,
            self.contact.email,
            self.contact.name,
            self.credential.username,
            self.invitation.email,
            self.person.email,
        ]


def make_account(slug: str) -> Account:
    organisation = OrganisationFactory(name=f"{slug.title()} Scholarly Press")
    credential, _password = services.credential_create_role(
        organisation=organisation, username=f"{slug}-deposits", actor=None
    )
    account = Account(
        organisation=organisation,
        prefix=PrefixFactory(organisation=organisation),
        contact=ContactFactory(
            organisation=organisation, name=f"{slug} contact", email=f"contact@{slug}.example"
        ),
        credential=credential,
        invitation=InvitationFactory(organisation=organisation, email=f"invitee@{slug}.example"),
        person=member(organisation, Role.VIEWER, email=f"person@{slug}.example"),
    )
    for role in ROLES:
        account.by_role[role] = member(organisation, role, email=f"{role}@{slug}.example")
    return account


@pytest.fixture
def account() -> Account:
    return make_account("alpha")


@pytest.fixture
def other() -> Account:
    return make_account("omega")


def state(account: Account) -> dict:
    """Everything the pages can change, to show that a refused request changed nothing."""
    organisation = Organisation.objects.get(pk=account.organisation.pk)
    return {
        "profile": (organisation.name, organisation.country.code, organisation.website, organisation.address),
        "contacts": list(
            Contact.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("pk", "role", "name", "email")
        ),
        "memberships": list(
            Membership.objects.filter(organisation=organisation).order_by("pk").values_list("user_id", "role")
        ),
        "invitations": list(
            Invitation.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("pk", "email", "revoked_at", "accepted_at")
        ),
        "credentials": list(
            DepositCredential.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("pk", "username", "revoked_at")
        ),
        "audit": AuditEvent.objects.filter(organisation=organisation).count(),
    }


# What an admin's POST to each page must have done.


def _profile_saved(account: Account, response) -> None:
    assert response.status_code == 302
    account.organisation.refresh_from_db()
    assert account.organisation.name == "Renamed Scholarly Press"
    assert AuditEvent.objects.filter(action="organisation.update", organisation=account.organisation).exists()


def _contact_added(account: Account, response) -> None:
    assert response.status_code == 302
    assert account.organisation.contacts.filter(email="new.tech@alpha.example", role="technical").exists()


def _contact_edited(account: Account, response) -> None:
    assert response.status_code == 302
    account.contact.refresh_from_db()
    assert (account.contact.name, account.contact.email) == ("Edited Name", "edited@alpha.example")


def _contact_deleted(account: Account, response) -> None:
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=account.contact.pk).exists()


def _invited(account: Account, response) -> None:
    assert response.status_code == 302
    invitation = Invitation.objects.get(organisation=account.organisation, email="newcomer@alpha.example")
    assert invitation.is_open and invitation.roles == [Role.DEPOSITOR]


def _roles_changed(account: Account, response) -> None:
    assert response.status_code == 302
    roles = set(
        account.person.memberships.filter(organisation=account.organisation).values_list("role", flat=True)
    )
    assert roles == {Role.DEPOSITOR, Role.BILLING}


def _person_removed(account: Account, response) -> None:
    assert response.status_code == 302
    assert not account.person.memberships.filter(organisation=account.organisation).exists()


def _invitation_revoked(account: Account, response) -> None:
    assert response.status_code == 302
    account.invitation.refresh_from_db()
    assert account.invitation.revoked_at is not None


def _token_created(account: Account, response) -> None:
    assert response.status_code == 200
    token = account.organisation.credentials.get(kind="token")
    assert token.label == "Nightly CI"
    assert f"dpt_{token.token_prefix}_" in response.content.decode()


def _credential_revoked(account: Account, response) -> None:
    assert response.status_code == 302
    account.credential.refresh_from_db()
    assert account.credential.revoked_at is not None


def _read_only(account: Account, response) -> None:
    # A POST to a page without a form renders the page and changes nothing.
    assert response.status_code == 200
    assert account.organisation.name.encode() in response.content


@dataclass(frozen=True)
class Page:
    name: str
    read: frozenset | None  # None: the page takes POST only
    target: str | None = None  # the object whose id is part of the URL
    data: Callable[[Account], dict] = lambda account: {}
    done: Callable[[Account, object], None] = _read_only
    shows: Callable[[Account], str] = lambda account: account.organisation.name

    def __str__(self) -> str:
        return self.name

    def url(self, account: Account, *, member_id: int | None = None, pk: int | None = None) -> str:
        args = [member_id if member_id is not None else account.organisation.member_id]
        if self.target:
            args.append(pk if pk is not None else account.target(self.target))
        return reverse(f"accounts:{self.name}", args=args)


PAGES = [
    Page(
        "profile",
        EVERYONE,
        data=lambda a: {"name": "Renamed Scholarly Press", "country": "FR", "revenue_tier": "lt_1m"},
        done=_profile_saved,
    ),
    Page(
        "contacts",
        EVERYONE,
        data=lambda a: {"role": "technical", "name": "New Tech", "email": "new.tech@alpha.example"},
        done=_contact_added,
        shows=lambda a: a.contact.email,
    ),
    Page(
        "contact_edit",
        ADMINS,
        target="contact",
        data=lambda a: {"role": "primary", "name": "Edited Name", "email": "edited@alpha.example"},
        done=_contact_edited,
        shows=lambda a: a.contact.email,
    ),
    Page("contact_delete", None, target="contact", done=_contact_deleted),
    Page(
        "people",
        EVERYONE,
        data=lambda a: {"email": "newcomer@alpha.example", "roles": [Role.DEPOSITOR]},
        done=_invited,
        shows=lambda a: a.person.email,
    ),
    Page(
        "person_roles",
        None,
        target="person",
        data=lambda a: {"roles": [Role.DEPOSITOR, Role.BILLING]},
        done=_roles_changed,
    ),
    Page("person_remove", None, target="person", done=_person_removed),
    Page("invitation_revoke", None, target="invitation", done=_invitation_revoked),
    Page("prefixes", EVERYONE, shows=lambda a: a.prefix.value),
    Page(
        "credentials",
        DEPOSITING,
        data=lambda a: {"kind": "token", "token-label": "Nightly CI"},
        done=_token_created,
        shows=lambda a: a.credential.username,
    ),
    Page("credential_revoke", None, target="credential", done=_credential_revoked),
    Page("activity", ADMINS, shows=lambda a: "credential.create"),
]
# Requests that look up an object of the URL: every POST, and GET where the page has one.
ID_REQUESTS = [
    pytest.param(page, method, id=f"{page}-{method}")
    for page in PAGES
    if page.target
    for method in ("get", "post")
    if method == "post" or page.read is not None
]


def test_every_member_page_is_covered():
    from accounts.urls import urlpatterns

    member_pages = {p.name for p in urlpatterns if "<int:member_id>" in str(p.pattern)}
    assert member_pages == {page.name for page in PAGES}


def send(client, method: str, url: str, data: dict):
    """GET the page, or POST `data` to it."""
    return client.get(url) if method == "get" else client.post(url, data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_get_needs_a_read_role(client, account, page, role):
    client.force_login(account.by_role[role])
    before = state(account)
    response = client.get(page.url(account))
    if page.read is None:
        assert response.status_code == 405  # an action, never a page
    elif role in page.read:
        assert response.status_code == 200
        assert page.shows(account).encode() in response.content
    else:
        assert response.status_code == 403
        assert b"This needs the admin" in response.content
        assert page.shows(account).encode() not in response.content  # the page itself is not shown
    assert state(account) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_post_needs_a_write_role(client, account, page, role):
    client.force_login(account.by_role[role])
    before = state(account)
    response = client.post(page.url(account), page.data(account))
    if role == Role.ADMIN:
        page.done(account, response)
    else:
        assert response.status_code == 403
        assert b"This needs the admin role" in response.content
        assert state(account) == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_anonymous_visitors_are_sent_to_login(client, account, page, method):
    url = page.url(account)
    before = state(account)
    response = send(client, method, url, page.data(account))
    if method == "get" and page.read is None:
        assert response.status_code == 405
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert state(account) == before


@pytest.fixture
def insider(account) -> User:
    """Someone with every role in `account`, and none in any other organisation."""
    return member(account.organisation, *ROLES, email="all-roles@alpha.example")


def _assert_reveals_nothing(response, other: Account) -> None:
    body = response.content.decode()
    for secret in other.secrets():
        assert secret not in body, f"{secret!r} leaked into the response"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_pages_of_another_organisation_are_not_found(client, insider, other, page, method):
    client.force_login(insider)
    before = state(other)
    response = send(client, method, page.url(other), page.data(other))
    expected = 405 if (method == "get" and page.read is None) else 404
    assert response.status_code == expected
    _assert_reveals_nothing(response, other)
    assert state(other) == before


@pytest.mark.parametrize(("page", "method"), ID_REQUESTS)
def test_ids_of_another_organisation_under_own_member_id_are_not_found(
    client, account, insider, other, page, method
):
    """/account/<mine>/contacts/<their contact>/edit/ and the like."""
    client.force_login(insider)
    before_other, before_mine = state(other), state(account)
    url = page.url(account, pk=other.target(page.target))
    response = send(client, method, url, page.data(other))
    assert response.status_code == 404
    _assert_reveals_nothing(response, other)
    assert state(other) == before_other
    assert state(account) == before_mine


def test_a_staff_less_user_never_sees_another_members_data(client, insider, other):
    assert not insider.is_staff
    client.force_login(insider)
    for page in PAGES:
        for method in ("get", "post"):
            response = send(client, method, page.url(other), page.data(other))
            assert response.status_code in (404, 405), (page.name, method)
            _assert_reveals_nothing(response, other)
    response = client.get(reverse("accounts:home"), follow=True)
    assert response.status_code == 200
    _assert_reveals_nothing(response, other)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_unknown_member_id_is_not_found(client, account, insider, page, method):
    assert not Organisation.objects.filter(member_id=424242).exists()
    client.force_login(insider)
    response = send(client, method, page.url(account, member_id=424242), page.data(account))
    assert response.status_code == (405 if (method == "get" and page.read is None) else 404)


def test_roles_in_one_organisation_give_nothing_in_another(client, account, other):
    """A depositor of one member who is a viewer of another gets only viewer rights there."""
    user = account.by_role[Role.DEPOSITOR]
    Membership.objects.create(user=user, organisation=other.organisation, role=Role.VIEWER)
    client.force_login(user)
    assert (
        client.get(reverse("accounts:credentials", args=[account.organisation.member_id])).status_code == 200
    )
    assert client.get(reverse("accounts:credentials", args=[other.organisation.member_id])).status_code == 403
    assert client.get(reverse("accounts:prefixes", args=[other.organisation.member_id])).status_code == 200


def test_nav_shows_only_the_tabs_a_role_may_open(client, account):
    profile = reverse("accounts:profile", args=[account.organisation.member_id])
    credentials = reverse("accounts:credentials", args=[account.organisation.member_id])
    activity = reverse("accounts:activity", args=[account.organisation.member_id])
    expected = {
        Role.ADMIN: (True, True),
        Role.DEPOSITOR: (True, False),
        Role.BILLING: (False, False),
        Role.VIEWER: (False, False),
    }
    for role, (sees_credentials, sees_activity) in expected.items():
        client.force_login(account.by_role[role])
        body = client.get(profile).content.decode()
        assert (f'href="{credentials}"' in body, f'href="{activity}"' in body) == (
            sees_credentials,
            sees_activity,
        )
