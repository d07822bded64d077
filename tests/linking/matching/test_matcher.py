"""The matcher: DOI and ISBN shortcuts, unstructured strings in several styles, structured
input, and "no match" answers (precision first)."""

from __future__ import annotations

import pytest

from linking.matching.matcher import citation_match, citation_parse, reference_match

pytestmark = pytest.mark.django_db


def doi_of(value):
    match = reference_match(value)
    return match.doi if match else None


@pytest.mark.parametrize(
    "text",
    [
        "Okafor A. Some paper. doi:10.5555/PRL.1.",
        "See https://doi.org/10.5555/prl.1)",
        "https://doi.org/10.5555%2Fprl.1",
        "Okafor, A. (2001) ... 10.5555/prl.1;",
    ],
)
def test_a_registered_doi_in_the_string_wins(registry, text):
    match = reference_match(text)
    assert match.doi == "10.5555/prl.1"
    assert (match.method, match.confidence) == ("doi", 1.0)


def test_an_unregistered_doi_is_not_a_match_and_is_reported(registry):
    outcome = citation_match(
        citation_parse("Nobody N. Ghost paper. J Nowhere 1999;1:1. doi:10.5555/missing.9")
    )
    assert outcome.match is None
    assert outcome.deposited_doi_unknown == "10.5555/missing.9"


def test_isbn_finds_the_one_book(registry):
    match = reference_match("Whitfield R. Coastal Processes. Harbour Press; 2015. ISBN 0-306-40615-2")
    assert (match.doi, match.method) == ("10.5555/book.1", "isbn")
    assert doi_of("Whitfield R. Coastal Processes. ISBN 978-0-306-40615-7") == "10.5555/book.1"


def test_an_invalid_isbn_is_ignored(registry):
    assert doi_of("Someone. A book. ISBN 978-0-306-40615-8") is None


@pytest.mark.parametrize(
    "text",
    [
        # APA
        "Okafor, A., & Lindqvist, A. (2001). Quantum coherence in driven spin chains. "
        "Physical Review Letters, 86(3), 1234–1237.",
        # Vancouver, abbreviated journal
        "1. Okafor A, Lindqvist A. Quantum coherence in driven spin chains. "
        "Phys Rev Lett. 2001;86(3):1234-7.",
        # Title-less (AIP/ACS-like)
        "[12] A. Okafor and A. Lindqvist, Phys. Rev. Lett. 86, 1234 (2001).",
        # Noise: typos and lost spaces
        "Okafor A,Lindqvst A. Quantum coherense in driven spin chains.Phys Rev Lett 2001;86:1234",
    ],
)
def test_unstructured_styles_match(registry, text):
    match = reference_match(text)
    assert match is not None, text
    assert match.doi == "10.5555/prl.1"
    assert match.method == "search-validated"
    assert 0 < match.confidence <= 1


@pytest.mark.parametrize(
    "text",
    [
        # Right author and journal, wrong year, volume and page: a different paper.
        "Okafor A. Phys. Rev. Lett. 90, 5555 (2005).",
        # A title alone is not enough.
        "Quantum coherence in driven spin chains.",
        # Same author and year, nothing else.
        "Okafor A (2001) personal communication.",
        "",
        "Completely unrelated text about cooking 12 eggs in 3 minutes.",
    ],
)
def test_weak_evidence_is_no_match(registry, text):
    assert doi_of(text) is None


def test_compound_surname_and_page_range(registry):
    text = "García Márquez A, Ngata A (1998) Sediment budgets of barrier islands. J Coast Res 14:455–71"
    assert doi_of(text) == "10.5555/jcr.1"


def test_article_number_with_leading_zero(registry):
    assert doi_of("Haddad A. Thermal transport in graphene ribbons. Phys Rev Lett 2010;104(5):056802.") == (
        "10.5555/prl.3"
    )


def test_structured_input(registry):
    fields = {
        "author": "Okafor",
        "year": "2002",
        "journal-title": "Phys. Rev. Lett.",
        "volume": "88",
        "first-page": "2101",
    }
    match = reference_match(fields)
    assert (match.doi, match.method) == ("10.5555/prl.2", "structured-validated")
    assert doi_of({**fields, "first-page": "2200", "volume": "89"}) is None
    assert doi_of({"doi": "doi:10.5555/PRL.3"}) == "10.5555/prl.3"
    assert doi_of(
        {"issn": "0749-0208", "author": "Garcia Marquez", "volume": "14", "first_page": "455", "year": "1998"}
    ) == ("10.5555/jcr.1")


def test_structured_needs_a_text_field_to_agree(registry):
    assert doi_of({"year": "2001", "volume": "86", "first-page": "1234"}) is None
