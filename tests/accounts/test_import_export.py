"""The spreadsheet view of organisations, prefixes and users (accounts/resources.py):
export → CSV → import gives back every field, keyed on public identifiers; a prefix
changing owner is refused (the audited transfer action does that); imported people never
get a usable password; and the admin's two-step import (upload, preview, confirm)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from import_export.exceptions import ImportError as ImportExportError

from accounts.admin import PrefixAdmin
from accounts.models import (
    AuditEvent,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Prefix,
    PrefixStatus,
    PrefixTransfer,
    RevenueTier,
    User,
)
from accounts.resources import OrganisationResource, PrefixResource, UserResource
from tests.factories import PASSWORD, OrganisationFactory, PrefixFactory, UserFactory, staff

pytestmark = pytest.mark.django_db


def to_csv(resource) -> str:
    return resource.export().csv


def load(csv: str) -> tablib.Dataset:
    return tablib.Dataset().load(csv, format="csv")


def import_csv(resource, csv: str, **kwargs):
    result = resource.import_data(load(csv), dry_run=False, raise_errors=True, **kwargs)
    assert not result.has_errors() and not result.has_validation_errors()
    return result


def seconds(moment):
    return moment.replace(microsecond=0) if moment else None


# Organisations


def organisations() -> list[dict]:
    return [
        {
            "member_id": org.member_id,
            "name": org.name,
            "kind": org.kind,
            "sponsor": org.sponsor.member_id if org.sponsor else None,
            "country": org.country.code,
            "revenue_tier": org.revenue_tier,
            "status": org.status,
            "website": org.website,
            "address": org.address,
        }
        for org in Organisation.objects.select_related("sponsor").order_by("member_id")
    ]


@pytest.fixture
def some_organisations():
    # The sponsored member's name sorts before its sponsor's, so a file in name order
    # lists it first: the import must still find the sponsor.
    sponsor = OrganisationFactory(
        name="Zenith Sponsor Services", member_id=301, kind=OrganisationKind.SPONSOR, country="ZA"
    )
    OrganisationFactory(
        name="Acacia Journals, Ltd.",
        member_id=302,
        kind=OrganisationKind.SPONSORED_MEMBER,
        sponsor=sponsor,
        country="KE",
        revenue_tier=RevenueTier.UP_TO_1K,
        website="https://acacia.example",
        address='1 "Quoted" Road\nNairobi',
    )
    OrganisationFactory(
        name="Borealis Library",
        member_id=303,
        kind=OrganisationKind.LIBRARY,
        country="NO",
        revenue_tier=RevenueTier.OVER_500M,
        status=OrganisationStatus.SUSPENDED,
    )
    OrganisationFactory(name="Café Éditions", member_id=304, country="", status=OrganisationStatus.APPLICANT)
    return organisations()


def test_organisations_round_trip_into_an_empty_database(some_organisations):
    # The admin exports its change list, which is in name order.
    csv = OrganisationResource().export(queryset=Organisation.objects.order_by("name")).csv
    assert csv.splitlines()[0] == (
        "member_id,name,kind,sponsor_member_id,country,revenue_tier,status,website,address"
    )
    Organisation.objects.filter(sponsor__isnull=False).delete()
    Organisation.objects.all().delete()

    result = import_csv(OrganisationResource(), csv)
    assert result.totals["new"] == 4
    assert organisations() == some_organisations


def test_organisation_import_updates_changed_rows(some_organisations):
    csv = to_csv(OrganisationResource())
    Organisation.objects.filter(member_id=303).update(name="Renamed", status=OrganisationStatus.ACTIVE)
    Organisation.objects.filter(member_id=302).update(website="", revenue_tier=RevenueTier.FROM_10M)

    result = import_csv(OrganisationResource(), csv)
    assert (result.totals["update"], result.totals["skip"], result.totals["new"]) == (2, 2, 0)
    assert organisations() == some_organisations
    audited = AuditEvent.objects.filter(action="organisation.import")
    assert sorted(event.organisation.member_id for event in audited) == [302, 303]


def test_organisation_import_dry_run_changes_nothing(some_organisations):
    csv = to_csv(OrganisationResource()).replace("Borealis Library", "Changed Name")
    result = OrganisationResource().import_data(load(csv), dry_run=True, raise_errors=True)
    assert result.totals["update"] == 1
    assert organisations() == some_organisations
    assert not AuditEvent.objects.exists()


def test_organisation_import_validates_rows(some_organisations):
    bad = (
        "member_id,name,kind,sponsor_member_id,country,revenue_tier,status,website,address\n"
        "401,No Sponsor Needed,member,301,GB,lt_1m,active,,\n"  # only sponsored members have sponsors
        "402,Bad Tier,member,,GB,lots,active,,\n"
    )
    result = OrganisationResource().import_data(load(bad), dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    assert not Organisation.objects.filter(member_id__in=[401, 402]).exists()


# Prefixes


def prefixes() -> list[dict]:
    return [
        {
            "value": prefix.value,
            "owner": prefix.organisation.member_id if prefix.organisation else None,
            "status": prefix.status,
            "assigned_at": seconds(prefix.assigned_at),
        }
        for prefix in Prefix.objects.select_related("organisation").order_by("value")
    ]


@pytest.fixture
def some_prefixes():
    first, second = OrganisationFactory(member_id=501), OrganisationFactory(member_id=502)
    when = timezone.now() - timedelta(days=400)
    PrefixFactory(value="10.5555", organisation=first, assigned_at=when)
    PrefixFactory(value="10.5556", organisation=first, status=PrefixStatus.INACTIVE, assigned_at=when)
    PrefixFactory(value="10.123456789", organisation=second, assigned_at=timezone.now())
    PrefixFactory(value="10.7777", organisation=None, status=PrefixStatus.RESERVED)
    return prefixes()


def test_prefixes_round_trip(some_prefixes):
    csv = to_csv(PrefixResource())
    assert csv.splitlines()[0] == "value,member_id,status,assigned_at"
    Prefix.objects.all().delete()

    result = import_csv(PrefixResource(), csv)
    assert result.totals["new"] == 4
    assert prefixes() == some_prefixes


def test_prefix_import_updates_status_and_normalises_values(some_prefixes):
    csv = to_csv(PrefixResource()).replace("10.5556,501,inactive", " 10.5556 ,501,active")
    import_csv(PrefixResource(), csv)
    assert Prefix.objects.get(value="10.5556").status == PrefixStatus.ACTIVE
    assert Prefix.objects.count() == 4


def test_prefix_import_refuses_an_owner_change(some_prefixes):
    csv = "value,member_id,status,assigned_at\n10.5555,502,active,\n"
    result = PrefixResource().import_data(load(csv), dry_run=False, raise_errors=False)
    assert result.has_errors()
    (row_number, errors), *_ = result.row_errors()
    message = str(errors[0].error)
    assert "10.5555 belongs to" in message
    assert f"'{PrefixAdmin.transfer.short_description}' action" in message
    assert Prefix.objects.get(value="10.5555").organisation.member_id == 501
    assert not PrefixTransfer.objects.exists()
    assert not AuditEvent.objects.filter(action="prefix.import").exists()

    with pytest.raises(ImportExportError, match="Transfer"):
        PrefixResource().import_data(load(csv), dry_run=False, raise_errors=True)
    assert Prefix.objects.get(value="10.5555").organisation.member_id == 501


def test_prefix_import_refuses_invalid_values(some_prefixes):
    csv = "value,member_id,status,assigned_at\n10.0123,501,active,\n10.8888,501,active,\n"
    result = PrefixResource().import_data(load(csv), dry_run=False, raise_errors=False)
    assert result.has_errors()
    assert "'10.0123' is not a DOI prefix" in str(result.row_errors()[0][1][0].error)
    assert not Prefix.objects.filter(value__in=["10.0123", "10.8888"]).exists()  # all or nothing


# Users


def users() -> list[dict]:
    return [
        {
            "email": user.email,
            "full_name": user.full_name,
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "date_joined": seconds(user.date_joined),
        }
        for user in User.objects.order_by("email")
    ]


def test_users_round_trip_without_passwords():
    UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    UserFactory(email="grace@example.org", full_name="Grace Hopper", is_staff=True)
    UserFactory(
        email="left@example.org",
        full_name="",
        is_active=False,
        date_joined=timezone.now() - timedelta(days=900),
    )
    expected = users()
    csv = to_csv(UserResource())
    assert "password" not in csv.splitlines()[0]
    assert PASSWORD not in csv
    User.objects.all().delete()

    result = import_csv(UserResource(), csv)
    assert result.totals["new"] == 3
    assert users() == expected
    for user in User.objects.all():
        assert not user.has_usable_password()
        assert not user.check_password(PASSWORD)
        assert not user.is_superuser


def test_user_import_never_sets_a_password_or_superuser():
    existing = UserFactory(email="known@example.org")
    csv = (
        "email,full_name,password,is_superuser,is_active,is_staff\n"
        " NEW@Example.org ,New Person,plain-text-secret,1,1,0\n"
        "known@example.org,Known Person,plain-text-secret,1,1,0\n"
    )
    import_csv(UserResource(), csv)
    new = User.objects.get(email="new@example.org")
    assert new.full_name == "New Person"
    assert not new.has_usable_password()
    assert not new.check_password("plain-text-secret")
    assert "plain-text-secret" not in new.password
    assert not new.is_superuser
    existing.refresh_from_db()
    assert existing.full_name == "Known Person"
    assert existing.check_password(PASSWORD)  # the person's own password is untouched
    assert not existing.is_superuser


# The admin's import


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("organisations.csv", text.encode(), content_type="text/csv")


def csv_format(response) -> str:
    (index,) = [value for value, label in response.context["form"].fields["format"].choices if label == "csv"]
    return index


def test_admin_import_two_steps(client, some_organisations):
    admin_user = staff()
    client.force_login(admin_user)
    csv = to_csv(OrganisationResource())
    csv += "305,Delta Data Press,member,,DE,1m_5m,active,https://delta.example,\n"
    csv = csv.replace("Borealis Library", "Borealis University Library")
    url = reverse("admin:accounts_organisation_import")

    response = client.get(url)
    assert response.status_code == 200
    fmt = csv_format(response)

    # Step 1: upload; a preview, nothing stored yet.
    response = client.post(url, {"resource": "0", "format": fmt, "import_file": csv_upload(csv)})
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    body = response.content.decode()
    assert "Delta Data Press" in body
    assert '<span>Borealis </span><ins style="background:#e6ffe6;">University </ins>' in body  # the diff
    assert not Organisation.objects.filter(member_id=305).exists()
    assert Organisation.objects.get(member_id=303).name == "Borealis Library"
    assert not AuditEvent.objects.exists()

    # Step 2: confirm.
    confirm = response.context["confirm_form"]
    data = {
        name: confirm.initial[name]
        for name in ("import_file_name", "original_file_name", "format", "resource")
    }
    response = client.post(reverse("admin:accounts_organisation_process_import"), data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:accounts_organisation_changelist")
    delta = Organisation.objects.get(member_id=305)
    assert (delta.name, delta.country.code, delta.revenue_tier) == ("Delta Data Press", "DE", "1m_5m")
    assert Organisation.objects.get(member_id=303).name == "Borealis University Library"
    events = AuditEvent.objects.filter(action="organisation.import")
    assert {event.organisation.member_id for event in events} == {303, 305}
    assert {event.actor for event in events} == {admin_user}


def test_admin_import_shows_row_errors_and_stores_nothing(client, some_prefixes):
    client.force_login(staff())
    url = reverse("admin:accounts_prefix_import")
    fmt = csv_format(client.get(url))
    csv = "value,member_id,status,assigned_at\n10.5555,502,active,\n10.9999,502,active,\n"
    response = client.post(
        url,
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile("p.csv", csv.encode())},
    )
    assert response.status_code == 200
    assert response.context["result"].has_errors()
    assert "confirm_form" not in response.context
    assert PrefixAdmin.transfer.short_description in response.content.decode()
    assert not Prefix.objects.filter(value="10.9999").exists()
    assert Prefix.objects.get(value="10.5555").organisation.member_id == 501


def test_admin_import_needs_staff(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:accounts_organisation_import"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
