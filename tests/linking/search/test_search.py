"""The search backends (SQLite FTS5, PostgreSQL tsvector): run this file on both databases;
the expected answers are written out, so both must give the same ones."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from linking.models import Work
from linking.records import Container, Contributor, PartialDate, WorkRecord
from linking.search import (
    UnknownSearchField,
    bibliographic_clause,
    search_terms_refresh,
    work_candidates,
    works_ids_sql,
    works_matching,
    works_matching_fields,
)
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory
from tests.linking.search.support import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    return registry()


def found(text: str, field: str = "bibliographic") -> list[str]:
    works = works_matching(Work.objects.all(), text, field=field).order_by("-relevance", "doi")
    return list(works.values_list("doi", flat=True))


def test_title_words_rank_the_work_holding_them_all_first(members):
    hits = found("tidal mixing estuaries")
    assert hits[0] == "10.5555/tidal.1"
    # OR-ish: works sharing only some words still come, after it.
    assert set(hits) == {"10.5555/tidal.1", "10.5555/tidal.2", "10.5555/book.1"}


def test_a_citation_string_full_of_other_words_finds_its_work_first(members):
    citation = (
        "Parata, M., & Okland, J. (2024). Tidal mixing in small estuaries. Coastal Lett., 12(2), 101-117."
    )
    assert found(citation)[0] == "10.5555/tidal.1"
    assert work_candidates(citation, limit=3)[0][0] == Work.objects.get(doi="10.5555/tidal.1").pk


def test_candidates_are_the_best_first_with_their_relevance(members):
    candidates = work_candidates("Tanaka H. Glacier retreat and meltwater pulses. 2024", limit=20)
    ids = [pk for pk, _ in candidates]
    by_pk = dict(Work.objects.values_list("pk", "doi"))
    assert [by_pk[pk] for pk in ids][:2] == ["10.5555/glacier.1", "10.5555/notice.1"]
    scores = [score for _, score in candidates]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_accents_and_case_fold_on_both_sides(members):
    assert found("OKLAND", field="author") == ["10.5555/tidal.1"]
    assert found("økland", field="author") == ["10.5555/tidal.1"]
    assert found("Garcia") == ["10.5555/tidal.2"]


def test_field_queries_look_only_in_their_field(members):
    assert found("parata", field="author") == ["10.5555/tidal.1"]
    assert found("parata", field="editor") == ["10.5555/book.1"]
    assert set(found("parata", field="contributor")) == {"10.5555/tidal.1", "10.5555/book.1"}
    assert found("field guide", field="title") == ["10.5555/book.1"]  # the subtitle counts
    assert set(found("coastal letters", field="container-title")) == {"10.5555/tidal.1", "10.5555/tidal.2"}
    assert set(found("marsden", field="funder-name")) == {"10.5555/tidal.1", "10.5555/glacier.1"}
    assert found("otago", field="affiliation") == ["10.5555/tidal.1"]
    assert found("tidal", field="author") == []


def test_identifiers_and_numbers_are_searchable(members):
    assert found("1234-5679 12 101")[0] == "10.5555/tidal.1"
    assert found("12345679")[0] in {"10.5555/tidal.1", "10.5555/tidal.2"}
    assert found("10.6666/ice.core.7")[0] == "10.6666/ice.core.7"


def test_several_fields_are_anded(members):
    works = works_matching_fields(Work.objects.all(), {"bibliographic": "tidal", "author": "garcia"})
    assert list(works.values_list("doi", flat=True)) == ["10.5555/tidal.2"]
    with pytest.raises(ValueError, match="works_matching_fields"):
        works_matching(works_matching(Work.objects.all(), "tidal"), "garcia", field="author")


def test_nothing_searchable_matches_nothing_and_unknown_fields_are_named(members):
    assert found("the of and") == []
    assert found("  ,;  ") == []
    with pytest.raises(UnknownSearchField, match="no search field 'colour'"):
        works_matching(Work.objects.all(), "red", field="colour")
    # ... and still compiles as a subquery (a surname such as "Du" is a stopword).
    nothing = works_matching(Work.objects.all(), "du", field="author")
    assert not Work.objects.filter(pk__in=works_ids_sql(nothing)).exists()


def test_search_combines_with_filters_and_counts(members):
    works = works_matching(Work.objects.filter(type="journal-article"), "estuaries southern tidal")
    assert works.count() == 2
    assert set(works.values_list("doi", flat=True)) == {"10.5555/tidal.1", "10.5555/tidal.2"}


def test_a_redeposit_replaces_the_words_of_the_record(members):
    first, _ = members
    records_register(
        records=[
            WorkRecord(
                doi="10.5555/tidal.1",
                type="journal-article",
                titles=["Brackish plumes"],
                issued=PartialDate(2024),
            )
        ],
        organisation=first,
    )
    assert "10.5555/tidal.1" not in found("mixing estuaries")
    assert found("parata", field="author") == []
    assert found("brackish plumes") == ["10.5555/tidal.1"]


def test_deleted_works_drop_out_and_reindex_rebuilds(members):
    Work.objects.filter(doi="10.6666/ice.core.7").delete()
    assert found("ice core chemistry") == []
    call_command("search_reindex", verbosity=0)
    assert found("tidal mixing estuaries")[0] == "10.5555/tidal.1"
    assert found("ice core chemistry") == []


def test_on_a_large_registry_rare_words_choose_the_candidates(members):
    search_terms_refresh()
    # Counted: every word is rare against the default budget, so the OR keeps them all.
    assert bibliographic_clause(["tidal", "glacier"]).groups == (("glacier",), ("tidal",))
    # With room for one work only, the rarest word alone chooses; all words still rank.
    clause = bibliographic_clause(["tidal", "estuaries", "sediment"], budget=1)
    assert clause.groups == (("sediment",),)
    assert clause.rank == ("tidal", "estuaries", "sediment")
    # When every word is too common, the works holding the rarest ones together match.
    clause = bibliographic_clause(["coastal", "letters", "2024"], budget=0)
    assert clause.groups == (("coastal", "letters", "2024"),)  # rarest first
    # Words unknown when counted (new or misspelt) are kept: they may be new.
    assert ("zzyzx",) in bibliographic_clause(["zzyzx", "tidal"], budget=0).groups


def test_a_rare_word_outranks_common_words_in_the_candidates(db):
    """A citation's rare surname must bring its work into the top candidates even when
    many works repeat the common words (PostgreSQL's ts_rank_cd alone knows no rarity)."""
    organisation = OrganisationFactory()
    PrefixFactory(value="10.7777", organisation=organisation)
    ecology = Container(
        kind="journal", titles=["Journal of Landscape Ecology"], issns=[{"value": "1803-2427"}]
    )
    crowd = [
        WorkRecord(
            doi=f"10.7777/crowd.{n}",
            type="journal-article",
            titles=[f"Landscape ecology journal review: ecology of landscape {n}"],
            container=ecology,
            contributors=[Contributor(family=f"Ecologist{n}", given="A.")],
            issued=PartialDate(2008),
        )
        for n in range(30)
    ]
    target = WorkRecord(
        doi="10.7777/klimanek",
        type="journal-article",
        titles=["Forest mosaics"],
        container=ecology,
        contributors=[Contributor(family="Klimánek", given="M.")],
        issued=PartialDate(2008),
    )
    records_register(records=[*crowd, target], organisation=organisation)
    search_terms_refresh()
    hits = work_candidates("Klimanek Journal of Landscape Ecology 2008", limit=5)
    assert Work.objects.get(pk=hits[0][0]).doi == "10.7777/klimanek"
