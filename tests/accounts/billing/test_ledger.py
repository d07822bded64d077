"""The ledger: one row per DOI, current versus backfile, imports, and registration
through the real linking services."""

from __future__ import annotations

import pytest

from accounts.billing.models import Recency, RegistrationCharge
from accounts.billing.services import NewRegistration, registrations_record
from accounts.models import OrganisationKind
from linking.records import PartialDate, WorkRecord
from linking.services import records_register
from tests.accounts.billing.helpers import at, publisher, register, sponsored

pytestmark = pytest.mark.django_db


def test_a_2024_article_is_current_on_new_years_eve_2026_and_backfile_a_second_later():
    organisation = publisher()
    [late] = register(organisation, "2026-12-31 23:59:59", year=2024)
    [early] = register(organisation, "2027-01-01 00:00:00", year=2024)
    assert RegistrationCharge.objects.get(doi=late).recency == Recency.CURRENT
    assert RegistrationCharge.objects.get(doi=early).recency == Recency.BACKFILE


def test_this_year_and_the_two_before_are_current_and_an_unknown_year_counts_as_current():
    organisation = publisher()
    recency = {}
    for year in (2026, 2025, 2024, 2023, None):
        [doi] = register(organisation, "2026-05-01", year=year)
        recency[year] = RegistrationCharge.objects.get(doi=doi).recency
    assert recency == {2026: "current", 2025: "current", 2024: "current", 2023: "backfile", None: "current"}


def test_imports_are_not_charged():
    organisation = publisher()
    register(organisation, "2026-05-01", n=3, source="import")
    assert not RegistrationCharge.objects.exists()


def test_a_doi_is_recorded_once_even_when_reported_twice():
    organisation = publisher()
    [doi] = register(organisation, "2026-05-01")
    prefix = organisation.prefixes.first().value
    registrations_record(
        organisation=organisation,
        registrations=[NewRegistration(doi=doi.upper(), type="book", publication_year=1990, prefix=prefix)],
        registered_at=at("2026-09-01"),
        source="deposit",
    )
    charge = RegistrationCharge.objects.get()
    assert (charge.content_type, charge.registered_at.month) == ("journal-article", 5)


def test_the_prefix_owner_is_the_registrant_and_a_sponsored_members_sponsor_pays():
    sponsor = publisher(kind=OrganisationKind.SPONSOR)
    member = sponsored(sponsor)
    # The sponsor deposits for its member, under the member's prefix.
    [doi] = register(member, "2026-05-01", depositor=sponsor)
    charge = RegistrationCharge.objects.get(doi=doi)
    assert (charge.registrant, charge.payer) == (member, sponsor)


def _article(doi: str) -> WorkRecord:
    return WorkRecord(doi=doi, type="journal-article", titles=["On ledgers"], issued=PartialDate(2021, 6))


def test_registration_through_records_register_reaches_the_ledger_once_even_when_re_deposited():
    organisation = publisher()
    prefix = organisation.prefixes.first().value
    dois = [f"{prefix}/ledger.{i}" for i in range(3)]
    records_register(records=[_article(d) for d in dois], organisation=organisation)
    records_register(records=[_article(d) for d in dois], organisation=organisation)  # updates: free
    records_register(records=[_article(dois[0]), _article(f"{prefix}/ledger.new")], organisation=organisation)

    charges = RegistrationCharge.objects.order_by("doi")
    assert [c.doi for c in charges] == sorted([*dois, f"{prefix}/ledger.new"])
    assert {(c.content_type, c.publication_year, c.source, c.payer_id) for c in charges} == {
        ("journal-article", 2021, "deposit", organisation.pk)
    }


def test_records_register_import_is_not_charged():
    organisation = publisher()
    prefix = organisation.prefixes.first().value
    records_register(records=[_article(f"{prefix}/imported.1")], organisation=organisation, source="import")
    assert not RegistrationCharge.objects.exists()
