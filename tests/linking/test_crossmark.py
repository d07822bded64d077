"""Crossmark both ways: `update-to` on the notice, `updated-by` on the original, whichever
was deposited first; third-party (Retraction Watch) updates beside the publisher's."""

from __future__ import annotations

import pytest

from linking.crossmark import crossmark_status, update_to, update_to_map, updated_by_map
from linking.models import ExternalUpdate, Work
from linking.records import PartialDate, Update, WorkRecord
from linking.records import ResourceUrl as Url
from linking.services import records_register
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ORIGINAL = "10.5555/Original.1"
NOTICE = "10.5555/notice.1"


def work(doi: str, *updates: Update, title: str = "A work") -> WorkRecord:
    return WorkRecord(
        doi=doi,
        type="journal-article",
        titles=[title],
        issued=PartialDate(2024, 6, 1),
        resource_urls=[Url(url=f"https://p.example/{doi}")],
        updates=list(updates),
    )


def retraction(target: str = ORIGINAL) -> WorkRecord:
    return work(
        NOTICE,
        Update(doi=target, type="retraction", date=PartialDate(2024, 7, 15)),
        title="Retraction notice",
    )


@pytest.fixture
def organisation():
    return OrganisationFactory()


def expected_entry() -> dict:
    return {
        "DOI": "10.5555/notice.1",
        "type": "retraction",
        "label": "Retraction",
        "source": "publisher",
        "updated": {
            "date-parts": [[2024, 7, 15]],
            "date-time": "2024-07-15T00:00:00Z",
            "timestamp": 1721001600000,
        },
    }


@pytest.mark.parametrize("order", ["original first", "notice first"])
def test_updated_by_whatever_the_order(organisation, order):
    records = [work(ORIGINAL), retraction()]
    if order == "notice first":
        records.reverse()
    for record in records:
        records_register(records=[record], organisation=organisation)
    assert updated_by_map(["10.5555/ORIGINAL.1", "10.5555/unrelated"]) == {
        "10.5555/original.1": [expected_entry()]
    }
    notice = Work.objects.get(doi=NOTICE)
    to = {**expected_entry(), "DOI": "10.5555/original.1"}
    assert update_to(notice) == [to]
    assert update_to_map([NOTICE]) == {NOTICE: [to]}
    status = crossmark_status(Work.objects.get(doi="10.5555/original.1"))
    assert (status.state, status.notice_doi, status.date) == ("retracted", NOTICE, "2024-07-15")


def test_a_notice_naming_the_target_in_other_case(organisation):
    records_register(records=[retraction(target="10.5555/ORIGINAL.1")], organisation=organisation)
    assert list(updated_by_map(["10.5555/original.1"])) == ["10.5555/original.1"]


def test_a_redeposit_without_the_update_withdraws_it(organisation):
    records_register(records=[retraction()], organisation=organisation)
    records_register(records=[work(NOTICE)], organisation=organisation)
    assert updated_by_map([ORIGINAL]) == {}


def test_the_most_severe_update_sets_the_banner(organisation):
    records_register(records=[work(ORIGINAL)], organisation=organisation)
    records_register(
        records=[
            work("10.5555/corr", Update(doi=ORIGINAL, type="correction", date=PartialDate(2024, 7))),
            work("10.5555/retr", Update(doi=ORIGINAL, type="retraction", date=PartialDate(2025, 1, 2))),
            work("10.5555/eoc", Update(doi=ORIGINAL, type="expression_of_concern")),
        ],
        organisation=organisation,
    )
    entries = updated_by_map([ORIGINAL])["10.5555/original.1"]
    # The expression of concern has no date of its own: the notice's issued date stands in.
    assert [(e["DOI"], e["updated"]["date-parts"]) for e in entries] == [
        ("10.5555/eoc", [[2024, 6, 1]]),
        ("10.5555/corr", [[2024, 7]]),
        ("10.5555/retr", [[2025, 1, 2]]),
    ]
    status = crossmark_status(Work.objects.get(doi="10.5555/original.1"))
    assert (status.state, status.notice_doi, len(status.updates)) == ("retracted", "10.5555/retr", 3)


@pytest.mark.parametrize(
    ("update_type", "state"),
    [
        ("correction", "corrected"),
        ("erratum", "corrected"),
        ("withdrawal", "withdrawn"),
        ("new_version", "new-version"),
        ("partial_retraction", "partially-retracted"),
        ("some_future_type", "updated"),
    ],
)
def test_each_update_type_has_a_status(organisation, update_type, state):
    records_register(
        records=[work(ORIGINAL), work(NOTICE, Update(doi=ORIGINAL, type=update_type))],
        organisation=organisation,
    )
    status = crossmark_status(Work.objects.get(doi="10.5555/original.1"))
    assert status.state == state


def test_retraction_watch_entries_stand_beside_the_publishers(organisation):
    records_register(records=[work(ORIGINAL)], organisation=organisation)
    ExternalUpdate.objects.create(
        record_id="54321",
        target="10.5555/original.1",
        notice_doi="10.5555/RW.9",
        type="retraction",
        date="2025-02-03",
    )
    entries = updated_by_map([ORIGINAL])["10.5555/original.1"]
    assert entries == [
        {
            "DOI": "10.5555/rw.9",
            "type": "retraction",
            "label": "Retraction",
            "source": "retraction-watch",
            "record-id": 54321,
            "updated": {
                "date-parts": [[2025, 2, 3]],
                "date-time": "2025-02-03T00:00:00Z",
                "timestamp": 1738540800000,
            },
        }
    ]
    status = crossmark_status(Work.objects.get(doi="10.5555/original.1"))
    assert (status.state, status.source) == ("retracted", "retraction-watch")


def test_nothing_updates_an_ordinary_work(organisation):
    records_register(records=[work(ORIGINAL)], organisation=organisation)
    assert crossmark_status(Work.objects.get(doi="10.5555/original.1")) is None
    assert updated_by_map([ORIGINAL]) == {}
