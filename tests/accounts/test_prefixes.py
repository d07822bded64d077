"""DOI prefixes: their syntax, their uniqueness, the pool new members draw from, and
transfers between organisations (by service and by the admin action)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import services
from accounts.errors import AccountsError, AccountsErrorCode
from accounts.models import AuditEvent, OrganisationStatus, Prefix, PrefixTransfer, Role
from tests.factories import OrganisationFactory, PrefixFactory, member, staff

pytestmark = pytest.mark.django_db

VALID = ["10.1234", "10.5555", "10.123456789"]
INVALID = [
    "10.123",  # too short
    "10.0123",  # leading zero
    "11.1234",  # not a DOI directory indicator
    "10.12a4",  # not digits
    "10.1234567890",  # too long
    "10.",
    "",
    "10.1234/abc",  # a DOI, not a prefix
]


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Harbour Press")


@pytest.mark.parametrize("value", VALID)
def test_valid_prefixes_pass_the_model_validator(organisation, value):
    Prefix(value=value, organisation=organisation).full_clean()


@pytest.mark.parametrize("value", INVALID + [" 10.5555 "])
def test_invalid_prefixes_fail_the_model_validator(organisation, value):
    with pytest.raises(ValidationError) as caught:
        Prefix(value=value, organisation=organisation).full_clean()
    assert "value" in caught.value.message_dict


@pytest.mark.parametrize("value", [v for v in INVALID if v])
def test_invalid_prefix_message_explains_the_form(organisation, value):
    with pytest.raises(ValidationError) as caught:
        Prefix(value=value, organisation=organisation).full_clean()
    assert caught.value.error_dict["value"][0].code == "invalid_prefix"
    assert "10." in caught.value.message_dict["value"][0]


@pytest.mark.parametrize("value", VALID)
def test_normalise_accepts_valid_prefixes(value):
    assert services.prefix_normalise(value) == value


@pytest.mark.parametrize("value", [" 10.5555 ", "10.5555\n", "\t10.5555"])
def test_normalise_strips_whitespace(value):
    assert services.prefix_normalise(value) == "10.5555"


@pytest.mark.parametrize("value", INVALID + [None])
def test_normalise_refuses_invalid_prefixes(value):
    with pytest.raises(AccountsError) as caught:
        services.prefix_normalise(value)
    assert caught.value.code == AccountsErrorCode.INVALID_PREFIX
    assert caught.value.field == "prefix"
    assert "is not a DOI prefix" in caught.value.message


@pytest.mark.parametrize("value", VALID)
def test_assign_a_chosen_prefix(organisation, value):
    actor = staff()
    prefix = services.prefix_assign(organisation=organisation, actor=actor, value=value)
    prefix.refresh_from_db()
    assert (prefix.value, prefix.organisation, prefix.status) == (value, organisation, "active")
    assert prefix.assigned_at is not None
    event = AuditEvent.objects.get(action="prefix.assign", target_id=str(prefix.pk))
    assert (event.actor, event.organisation) == (actor, organisation)
    assert event.after == {"prefix": value, "organisation": organisation.pk}


def test_assign_normalises_the_chosen_prefix(organisation):
    prefix = services.prefix_assign(organisation=organisation, actor=None, value=" 10.5555 ")
    assert Prefix.objects.get(pk=prefix.pk).value == "10.5555"


@pytest.mark.parametrize("value", [v for v in INVALID if v])
def test_assign_refuses_invalid_prefixes(organisation, value):
    with pytest.raises(AccountsError) as caught:
        services.prefix_assign(organisation=organisation, actor=None, value=value)
    assert caught.value.code == AccountsErrorCode.INVALID_PREFIX
    assert not Prefix.objects.exists()
    assert not AuditEvent.objects.filter(action="prefix.assign").exists()


def test_assigning_an_existing_prefix_is_refused(organisation):
    first_owner = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=first_owner)
    with pytest.raises(AccountsError) as caught:
        services.prefix_assign(organisation=organisation, actor=None, value="10.5555")
    assert caught.value.code == AccountsErrorCode.PREFIX_TAKEN
    assert "10.5555" in caught.value.message
    assert Prefix.objects.get(value="10.5555").organisation == first_owner
    assert not organisation.prefixes.exists()
    # The refusal left the transaction usable (the IntegrityError was inside a savepoint).
    assert services.prefix_assign(organisation=organisation, actor=None, value="10.5556").value == "10.5556"


def test_the_database_refuses_a_duplicate_prefix(organisation):
    PrefixFactory(value="10.5555")
    with pytest.raises(IntegrityError), transaction.atomic():
        Prefix.objects.create(value="10.5555", organisation=organisation)
    assert Prefix.objects.filter(value="10.5555").count() == 1


def test_full_clean_reports_a_duplicate_prefix(organisation):
    PrefixFactory(value="10.5555")
    with pytest.raises(ValidationError) as caught:
        Prefix(value="10.5555", organisation=organisation).full_clean()
    assert "value" in caught.value.message_dict


def test_next_free_prefix_skips_taken_ones(organisation, settings):
    settings.PREFIX_POOL_START, settings.PREFIX_POOL_END = 60000, 60003
    PrefixFactory(value="10.60000")
    PrefixFactory(value="10.60002")
    PrefixFactory(value="10.1234")  # outside the pool: irrelevant
    assert services.prefix_next_free_value() == "10.60001"
    assert services.prefix_assign(organisation=organisation, actor=None).value == "10.60001"
    assert services.prefix_next_free_value() == "10.60003"
    assert services.prefix_assign(organisation=organisation, actor=None).value == "10.60003"
    assert sorted(organisation.prefixes.values_list("value", flat=True)) == ["10.60001", "10.60003"]


def test_pool_exhaustion_is_reported(organisation, settings):
    settings.PREFIX_POOL_START, settings.PREFIX_POOL_END = 60000, 60001
    PrefixFactory(value="10.60000")
    PrefixFactory(value="10.60001")
    with pytest.raises(AccountsError) as caught:
        services.prefix_next_free_value()
    assert caught.value.code == AccountsErrorCode.PREFIX_POOL_EXHAUSTED
    assert "10.60000" in caught.value.message and "10.60001" in caught.value.message
    with pytest.raises(AccountsError) as caught:
        services.prefix_assign(organisation=organisation, actor=None)
    assert caught.value.code == AccountsErrorCode.PREFIX_POOL_EXHAUSTED
    assert not organisation.prefixes.exists()


@pytest.mark.parametrize(
    "status", [OrganisationStatus.APPLICANT, OrganisationStatus.SUSPENDED, OrganisationStatus.CLOSED]
)
def test_only_active_organisations_receive_prefixes(status):
    organisation = OrganisationFactory(status=status)
    for value in (None, "10.5555"):
        with pytest.raises(AccountsError) as caught:
            services.prefix_assign(organisation=organisation, actor=None, value=value)
        assert caught.value.code == AccountsErrorCode.ORGANISATION_NOT_ACTIVE
    assert not Prefix.objects.exists()


def test_transfer_moves_the_prefix_with_history_and_audit():
    old, new = OrganisationFactory(name="Old Owner Press"), OrganisationFactory(name="New Owner Press")
    prefix = PrefixFactory(value="10.5555", organisation=old)
    actor = staff()
    transfer = services.prefix_transfer(prefix=prefix, to_organisation=new, actor=actor, reason="Merger")
    prefix.refresh_from_db()
    assert prefix.organisation == new
    stored = PrefixTransfer.objects.get()
    assert stored == transfer
    assert (stored.prefix, stored.from_organisation, stored.to_organisation) == (prefix, old, new)
    assert (stored.actor, stored.reason) == (actor, "Merger")
    events = AuditEvent.objects.filter(action="prefix.transfer", target_id=str(prefix.pk))
    assert {event.organisation for event in events} == {old, new}
    for event in events:
        assert event.before == {"organisation": old.pk}
        assert event.after == {"organisation": new.pk}
        assert (event.actor, event.message) == (actor, "Merger")


def test_transfer_of_an_unowned_prefix():
    new = OrganisationFactory()
    prefix = PrefixFactory(value="10.5555", organisation=None)
    services.prefix_transfer(prefix=prefix, to_organisation=new, actor=None)
    assert Prefix.objects.get(pk=prefix.pk).organisation == new
    assert PrefixTransfer.objects.get().from_organisation is None
    assert AuditEvent.objects.filter(action="prefix.transfer").count() == 1


def test_transfer_to_the_same_owner_is_refused():
    owner = OrganisationFactory()
    prefix = PrefixFactory(organisation=owner)
    with pytest.raises(AccountsError) as caught:
        services.prefix_transfer(prefix=prefix, to_organisation=owner, actor=None)
    assert caught.value.code == AccountsErrorCode.PREFIX_SAME_OWNER
    assert not PrefixTransfer.objects.exists()
    assert not AuditEvent.objects.filter(action="prefix.transfer").exists()


def test_transfer_to_an_inactive_organisation_is_refused():
    owner = OrganisationFactory()
    suspended = OrganisationFactory(status=OrganisationStatus.SUSPENDED)
    prefix = PrefixFactory(organisation=owner)
    with pytest.raises(AccountsError) as caught:
        services.prefix_transfer(prefix=prefix, to_organisation=suspended, actor=None)
    assert caught.value.code == AccountsErrorCode.ORGANISATION_NOT_ACTIVE
    assert Prefix.objects.get(pk=prefix.pk).organisation == owner
    assert not PrefixTransfer.objects.exists()


def test_transfer_history_shows_on_the_new_owners_prefixes_page(client):
    old, new = OrganisationFactory(name="Old Owner Press"), OrganisationFactory(name="New Owner Press")
    prefix = PrefixFactory(value="10.5555", organisation=old)
    services.prefix_transfer(prefix=prefix, to_organisation=new, actor=None, reason="Merger")

    client.force_login(member(new, Role.VIEWER))
    body = client.get(reverse("accounts:prefixes", args=[new.member_id])).content.decode()
    assert "10.5555" in body
    assert "Transferred" in body and "from Old Owner Press" in body

    client.force_login(member(old, Role.VIEWER))
    body = client.get(reverse("accounts:prefixes", args=[old.member_id])).content.decode()
    assert "10.5555" not in body  # it is no longer theirs


def test_admin_transfer_action(client):
    old, new = OrganisationFactory(name="Old Owner Press"), OrganisationFactory(name="New Owner Press")
    first, second = (
        PrefixFactory(value="10.5555", organisation=old),
        PrefixFactory(value="10.5556", organisation=old),
    )
    admin_user = staff()
    client.force_login(admin_user)
    url = reverse("admin:accounts_prefix_changelist")
    selected = {"action": "transfer", "_selected_action": [first.pk, second.pk]}

    # First the intermediate page asks for the new owner.
    response = client.post(url, selected)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Transfer prefixes" in body and "10.5555" in body and "10.5556" in body
    assert 'name="to_organisation"' in body
    assert Prefix.objects.filter(organisation=old).count() == 2

    # Without a new owner nothing moves.
    response = client.post(url, {**selected, "apply": "1", "to_organisation": "", "reason": "x"})
    assert response.status_code == 200
    assert Prefix.objects.filter(organisation=old).count() == 2

    response = client.post(
        url,
        {**selected, "apply": "1", "to_organisation": new.pk, "reason": "Journal sold"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Prefixes transferred: 2" in response.content.decode()
    assert set(new.prefixes.values_list("value", flat=True)) == {"10.5555", "10.5556"}
    transfers = PrefixTransfer.objects.all()
    assert len(transfers) == 2
    for transfer in transfers:
        assert (transfer.from_organisation, transfer.to_organisation) == (old, new)
        assert (transfer.actor, transfer.reason) == (admin_user, "Journal sold")
    assert AuditEvent.objects.filter(action="prefix.transfer", actor=admin_user).count() == 4


def test_admin_transfer_to_the_current_owner_reports_the_error(client):
    owner, other = OrganisationFactory(), OrganisationFactory()
    mine, theirs = (
        PrefixFactory(value="10.5555", organisation=owner),
        PrefixFactory(value="10.5556", organisation=other),
    )
    client.force_login(staff())
    response = client.post(
        reverse("admin:accounts_prefix_changelist"),
        {
            "action": "transfer",
            "_selected_action": [mine.pk, theirs.pk],
            "apply": "1",
            "to_organisation": owner.pk,
            "reason": "",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "10.5555 already belongs to" in body
    assert "Prefixes transferred: 1" in body
    assert set(owner.prefixes.values_list("value", flat=True)) == {"10.5555", "10.5556"}
    assert PrefixTransfer.objects.get().prefix == theirs


def test_admin_cannot_change_the_owner_by_editing_a_prefix(client):
    old, new = OrganisationFactory(), OrganisationFactory()
    prefix = PrefixFactory(value="10.5555", organisation=old)
    client.force_login(staff())
    url = reverse("admin:accounts_prefix_change", args=[prefix.pk])
    response = client.post(
        url,
        {
            "value": "10.5555",
            "organisation": new.pk,
            "status": "active",
            "transfers-TOTAL_FORMS": "0",
            "transfers-INITIAL_FORMS": "0",
            "transfers-MIN_NUM_FORMS": "0",
            "transfers-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert Prefix.objects.get(pk=prefix.pk).organisation == old


@pytest.mark.parametrize("value", ["10.1234\n", "10.1234\n5"])
def test_prefix_with_a_trailing_newline_is_invalid(value):
    from django.core.exceptions import ValidationError

    from accounts.models import prefix_validator

    with pytest.raises(ValidationError):
        prefix_validator(value)
