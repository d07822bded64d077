"""Citations one supporting field short (title-less styles of article-number journals,
journal + year + page without an author) match only when no other registered work agrees
with everything they give; pages or volumes that disagree with a record rule it out."""

from __future__ import annotations

import pytest

from linking.matching.candidates import candidates_find, titles_reset
from linking.matching.matcher import citation_parse, reference_match
from linking.records import Container, PartialDate, WorkRecord
from linking.services import records_register
from tests.linking.matching.conftest import article, person

pytestmark = pytest.mark.django_db

SARCOMA = Container(kind="journal", titles=["Sarcoma"], issns=[{"value": "1357-714X"}])
GUATTARI = Container(kind="book", titles=["Felix Guattari's Schizoanalytic Ecology"])


def hindawi(doi: str, authors: list[str], year: int, title: str) -> WorkRecord:
    """An article-number journal: the volume is the year and every paper starts on page 1."""
    return article(doi, title, authors, year, str(year), "1", container=SARCOMA, issue="", last_page="10")


def chapter(doi: str, title: str, first: str, last: str) -> WorkRecord:
    return WorkRecord(
        doi=doi,
        type="book-chapter",
        titles=[title],
        container=GUATTARI,
        contributors=[person("Berressem", "H.", "first")],
        issued=PartialDate(2020),
        first_page=first,
        last_page=last,
        publisher="Edinburgh University Press",
    )


def doi_of(value) -> str | None:
    match = reference_match(value)
    return match.doi if match else None


def register(organisation, *records: WorkRecord) -> None:
    records_register(records=list(records), organisation=organisation, source="import")
    titles_reset()


VALLE_ET_AL = ["Valle", "Bernthal", "Eilber", "Kalbasi"]
TITLELESS = "L. F. Valle, N. Bernthal, F. C. Eilber, and A. Kalbasi, Sarcoma 2021, 1 (2021)."


def test_a_titleless_citation_of_the_only_such_paper_matches(registry):
    register(
        registry,
        hindawi("10.5555/sarcoma.1", VALLE_ET_AL, 2021, "Evaluating thresholds for hypofractionation"),
        hindawi("10.5555/sarcoma.2", ["Okafor"], 2021, "Imaging of soft tissue tumours"),
    )
    match = reference_match(TITLELESS)
    assert match.doi == "10.5555/sarcoma.1"
    assert "sole" in match.supports and match.confidence <= 0.9
    structured = {"author": "Valle", "year": "2021", "journal-title": "Sarcoma", "volume": "2021"}
    assert doi_of(structured) == "10.5555/sarcoma.1"


def test_a_string_naming_an_author_the_record_lacks_is_not_sole(registry):
    register(registry, hindawi("10.5555/sarcoma.1", ["Valle", "Bernthal"], 2021, "Evaluating thresholds"))
    # Eilber and Kalbasi are not authors of this record: the string cites another paper.
    assert doi_of(TITLELESS) is None
    assert doi_of("L. F. Valle and N. Bernthal, Sarcoma 2021, 1 (2021).") == "10.5555/sarcoma.1"


def test_a_second_paper_by_the_author_in_that_journal_and_year_makes_it_no_match(registry):
    register(
        registry,
        hindawi("10.5555/sarcoma.1", VALLE_ET_AL, 2021, "Evaluating thresholds for hypofractionation"),
        hindawi("10.5555/sarcoma.3", VALLE_ET_AL, 2022, "Dose escalation in retroperitoneal sarcoma"),
    )
    assert doi_of(TITLELESS) is None
    assert doi_of({"author": "Valle", "year": "2021", "journal-title": "Sarcoma"}) is None


def test_co_authors_named_in_the_string_tell_the_first_authors_papers_apart(registry):
    register(
        registry,
        hindawi("10.5555/sarcoma.1", VALLE_ET_AL, 2021, "Evaluating thresholds for hypofractionation"),
        hindawi("10.5555/sarcoma.4", ["Valle", "Okafor"], 2021, "Dose escalation in retroperitoneal sarcoma"),
    )
    assert doi_of(TITLELESS) == "10.5555/sarcoma.1"
    # Structured input names the first author only: the two papers cannot be told apart.
    assert doi_of({"author": "Valle", "year": "2021", "journal-title": "Sarcoma"}) is None


def test_the_sole_rule_needs_something_that_identifies_a_work(registry):
    register(
        registry, hindawi("10.5555/sarcoma.1", ["Valle"], 2021, "Evaluating thresholds for hypofractionation")
    )
    # Journal and year only: many papers could be meant.
    assert doi_of({"year": "2021", "journal-title": "Sarcoma"}) is None
    assert doi_of("Sarcoma 2021 (2021).") is None


def test_journal_year_and_first_page_without_author(registry):
    assert doi_of({"year": "1998", "first-page": "455", "journal-title": "Journal of Coastal Research"}) == (
        "10.5555/jcr.1"
    )
    # Another paper of that journal starting on that page the next year: no longer sole.
    register(
        registry,
        article("10.5555/jcr.2", "Dune fencing", ["Ngata"], 1999, "15", "455", container=registry_ocean()),
    )
    assert (
        doi_of({"year": "1998", "first-page": "455", "journal-title": "Journal of Coastal Research"}) is None
    )


def registry_ocean() -> Container:
    from tests.linking.matching.conftest import OCEAN

    return OCEAN


def test_pages_of_another_chapter_rule_a_chapter_out(registry):
    register(registry, chapter("10.5555/guattari.1", "Introduction: Guattari and ecology", "1", "22"))
    # The cited chapter (pp. 183-232) is not registered; its sibling must not be linked.
    assert (
        doi_of(
            "Berressem H (2020) Schizoanalytic ecology. In: Felix Guattari's Schizoanalytic Ecology. "
            "Edinburgh University Press, pp 183–232"
        )
        is None
    )
    assert (
        doi_of("Berressem, H. 2020. In Felix Guattari's Schizoanalytic Ecology. Edinburgh University Press.")
        is None
    )
    structured = {
        "author": "Berressem",
        "year": "2020",
        "first-page": "183",
        "volume-title": GUATTARI.titles[0],
    }
    assert doi_of(structured) is None
    assert doi_of({**structured, "first-page": "1"}) == "10.5555/guattari.1"


def test_structured_page_or_volume_that_disagrees_is_no_match(registry):
    fields = {"author": "Okafor", "year": "2001", "journal-title": "Phys. Rev. Lett.", "volume": "86"}
    assert doi_of({**fields, "first-page": "1234"}) == "10.5555/prl.1"
    assert doi_of({**fields, "first-page": "1300"}) is None
    assert doi_of({**fields, "first-page": "1234", "volume": "87"}) is None


def test_structured_fields_that_find_nothing_fall_back_to_the_unstructured_string(registry):
    fields = {
        "author": "Nobody",
        "journal-title": "Unknown Letters",
        "unstructured_citation": "Okafor, A., & Lindqvist, A. (2001). Quantum coherence in driven "
        "spin chains. Physical Review Letters, 86(3), 1234–1237.",
    }
    assert doi_of(fields) == "10.5555/prl.1"


def test_titles_with_markup_are_compared_as_printed(registry):
    register(
        registry,
        article(
            "10.5555/prl.mathml",
            'Parabolic equations of infinite order with<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">'
            "<mml:msup><mml:mi>L</mml:mi><mml:mn>1</mml:mn></mml:msup></mml:math> data &amp; more",
            ["Abdou", "Chrif"],
            2014,
            "95",
            "3301",
        ),
    )
    text = "Abdou MH, Chrif M (2014) Parabolic equations of infinite order withL1Data. Phys Rev Lett 95:3301"
    [candidate] = [c for c in candidates_find(citation_parse(text)) if c.doi == "10.5555/prl.mathml"]
    assert candidate.title == "Parabolic equations of infinite order with L 1 data & more"
    assert doi_of(text) == "10.5555/prl.mathml"


def test_a_first_author_the_search_cannot_look_up_is_never_sole(registry):
    # "Du" is a search stopword: whether the paper is alone cannot be checked.
    register(registry, hindawi("10.5555/sarcoma.du", ["Du", "Bernthal"], 2021, "Margins in limb sarcoma"))
    assert doi_of("Y. Du, Sarcoma 2021, 1 (2021).") is None
    assert doi_of({"author": "Du", "year": "2021", "journal-title": "Sarcoma", "volume": "2021"}) is None
