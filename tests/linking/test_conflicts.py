"""Conflicts: detection over the registry, recording, auto-resolution and the member's decision."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from linking.conflicts import conflict_resolve, conflicts_detect, conflicts_record
from linking.models import ConflictStatus, WorkConflict
from linking.records import Container, Contributor, PartialDate, WorkRecord
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory, UserFactory

pytestmark = pytest.mark.django_db


def article(doi: str, **changes) -> WorkRecord:
    record = WorkRecord(
        doi=doi,
        type="journal-article",
        titles=["Tidal mixing in small estuaries"],
        container=Container(
            kind="journal", titles=["Coastal Letters"], issns=[{"value": "1234-5679", "type": "print"}]
        ),
        contributors=[Contributor(sequence="first", given="Mere", family="Parata")],
        issued=PartialDate(2024, 3),
        volume="12",
        issue="2",
        first_page="101",
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def preprint(doi: str, title: str = "Tidal mixing in small estuaries", **changes) -> WorkRecord:
    record = WorkRecord(
        doi=doi,
        type="posted-content",
        titles=[title],
        contributors=[Contributor(sequence="first", given="Mere", family="Parata")],
        issued=PartialDate(2024, 3, 1),
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


@pytest.fixture
def organisation():
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def register(organisation, *records):
    records_register(records=list(records), organisation=organisation)
    return conflicts_record(dois=[r.doi for r in records])


def test_same_container_volume_issue_and_page_conflict(organisation):
    register(organisation, article("10.5555/a.1"))
    found = register(organisation, article("10.5555/A.2", titles=["Another title entirely"]))
    assert found["10.5555/a.2"].dois_in_conflict == ["10.5555/a.1"]
    conflict = WorkConflict.objects.get()
    assert (conflict.work.doi, conflict.other.doi, conflict.status) == ("10.5555/a.2", "10.5555/a.1", "open")
    assert found["10.5555/a.2"].conflict_ids == [conflict.pk]


def test_article_number_counts_as_the_place(organisation):
    register(organisation, article("10.5555/n.1", first_page="", article_number="e101"))
    found = register(organisation, article("10.5555/n.2", first_page="", article_number="E101"))
    assert found["10.5555/n.2"].dois_in_conflict == ["10.5555/n.1"]


@pytest.mark.parametrize(
    "change",
    [
        {"first_page": "102"},
        {"issue": "3"},
        {"volume": "13"},
        {"type": "book-chapter"},
        {"extra": {"publication-type": "abstract_only"}},
    ],
)
def test_distinguishing_metadata_is_no_conflict(organisation, change):
    register(organisation, article("10.5555/d.1"))
    assert register(organisation, article("10.5555/d.2", **change)) == {}
    assert not WorkConflict.objects.exists()


def test_a_redeposit_of_the_same_doi_is_not_a_conflict_with_itself(organisation):
    register(organisation, article("10.5555/same.1"))
    assert register(organisation, article("10.5555/same.1", titles=["Revised"])) == {}
    assert not WorkConflict.objects.exists()


def test_two_records_of_one_batch_conflict_with_each_other(organisation):
    found = register(organisation, article("10.5555/b.1"), article("10.5555/b.2"), article("10.5555/b.3"))
    assert found["10.5555/b.1"].dois_in_conflict == ["10.5555/b.2", "10.5555/b.3"]
    assert found["10.5555/b.3"].dois_in_conflict == ["10.5555/b.1", "10.5555/b.2"]
    assert WorkConflict.objects.count() == 3  # one row per pair, never both directions


def test_without_a_place_title_year_and_first_author_decide(organisation):
    register(organisation, preprint("10.5555/p.1"))
    # Without a container to narrow the search, titles are compared as stored (no index on a
    # normalised title yet); within a container they are normalised (see the next test).
    found = register(organisation, preprint("10.5555/p.2"))
    assert found["10.5555/p.2"].dois_in_conflict == ["10.5555/p.1"]
    assert register(organisation, preprint("10.5555/p.3", issued=PartialDate(2025))) == {}
    other_author = [Contributor(sequence="first", given="Ana", family="Ruiz")]
    assert register(organisation, preprint("10.5555/p.4", contributors=other_author)) == {}


def test_articles_without_pages_conflict_on_title_in_the_same_journal(organisation):
    register(organisation, article("10.5555/ahead.1", first_page="", volume="", issue=""))
    retyped = ["Tidal  Mixing in small estuaries."]
    found = register(
        organisation, article("10.5555/ahead.2", first_page="", volume="", issue="", titles=retyped)
    )
    assert found["10.5555/ahead.2"].dois_in_conflict == ["10.5555/ahead.1"]


def test_detect_reads_without_writing(organisation):
    register(organisation, article("10.5555/r.1"))
    records_register(records=[article("10.5555/r.2")], organisation=organisation)
    detected = conflicts_detect(dois=["10.5555/R.2"])
    assert [w.doi for w in detected.others["10.5555/r.2"]] == ["10.5555/r.1"]
    assert not WorkConflict.objects.exists()


def test_a_redeposit_with_distinguishing_metadata_resolves_the_conflict(organisation):
    register(organisation, article("10.5555/c.1"))
    register(organisation, article("10.5555/c.2"))
    conflict = WorkConflict.objects.get()
    found = register(organisation, article("10.5555/c.2", first_page="110"))
    assert found["10.5555/c.2"].resolved_ids == [conflict.pk]
    assert found["10.5555/c.2"].conflict_ids == []
    assert not WorkConflict.objects.exists()  # the log keeps its id; a new collision opens a new one
    again = register(organisation, article("10.5555/c.2"))
    assert again["10.5555/c.2"].conflict_ids == [WorkConflict.objects.get().pk] != [conflict.pk]


def test_a_redeposit_still_in_conflict_keeps_the_same_conflict(organisation):
    register(organisation, article("10.5555/k.1"))
    first = register(organisation, article("10.5555/k.2"))
    again = register(organisation, article("10.5555/k.2", titles=["Retitled"]))
    assert again["10.5555/k.2"].conflict_ids == first["10.5555/k.2"].conflict_ids
    assert WorkConflict.objects.count() == 1


@pytest.mark.parametrize("status", [ConflictStatus.PRIMARY, ConflictStatus.ALIAS, ConflictStatus.ACCEPTED])
def test_resolving_closes_the_conflict_and_is_audited(organisation, status):
    register(organisation, article("10.5555/m.1"))
    register(organisation, article("10.5555/m.2"))
    user = UserFactory()
    conflict = conflict_resolve(conflict=WorkConflict.objects.get(), status=status, user=user)
    assert conflict.status == status and conflict.resolved_at is not None
    event = AuditEvent.objects.get(action=f"conflict.{status}")
    assert event.actor == user and "10.5555/m.2" in event.message
    # The member's decision stands: the next deposit of the same metadata does not warn again.
    assert register(organisation, article("10.5555/m.2", titles=["Again"])) == {}
    assert WorkConflict.objects.get().status == status


def test_reopening_clears_the_resolution(organisation):
    register(organisation, article("10.5555/o.1"))
    register(organisation, article("10.5555/o.2"))
    conflict = conflict_resolve(conflict=WorkConflict.objects.get(), status="accepted")
    conflict = conflict_resolve(conflict=conflict, status="open")
    assert conflict.status == ConflictStatus.OPEN and conflict.resolved_at is None


def test_an_unknown_status_is_refused(organisation):
    register(organisation, article("10.5555/u.1"))
    register(organisation, article("10.5555/u.2"))
    with pytest.raises(ValueError):
        conflict_resolve(conflict=WorkConflict.objects.get(), status="resolved-ish")


def test_components_and_review_reports_never_conflict(organisation):
    figure = {"type": "component", "titles": ["Figure 1."], "container": None, "first_page": ""}
    register(organisation, preprint("10.5555/fig.1", **figure))
    assert register(organisation, preprint("10.5555/fig.2", **figure)) == {}
    letter = {"type": "peer-review", "titles": ["Decision letter"]}
    register(organisation, preprint("10.5555/review.1", **letter))
    assert register(organisation, preprint("10.5555/review.2", **letter)) == {}
