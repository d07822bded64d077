"""The reference matcher: a citation string or structured fields → one DOI, or no match.

Order: a DOI in the input (it must be registered), then an ISBN (only a unique book
record counts), then search candidates validated field by field. A wrong link is worse
than no link, so anything short of strong evidence, or two candidates that the evidence
cannot tell apart, answers "no match"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from linking.matching.candidates import candidates_find
from linking.matching.normalise import isbn_forms, isbn_hyphenations
from linking.matching.parse import Citation, citation_from_fields, citation_from_text
from linking.matching.sole import sole_verdict
from linking.matching.validate import Verdict, candidate_validate, plausible
from linking.models import Work

BOOK_TYPES = ("book", "edited-book", "monograph", "reference-book", "book-set", "book-series")
# Tuned with bench/matching_eval.py on our own search backend (docs/incoming/matching.md);
# settings may override them.
UNSTRUCTURED_THRESHOLD = 0.62
STRUCTURED_THRESHOLD = 0.72
AMBIGUITY_MARGIN = 0.02


@dataclass
class Match:
    doi: str
    confidence: float
    method: str  # doi | isbn | search-validated | structured-validated
    supports: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What the matcher concluded about one citation, with the reason when it did not match."""

    match: Match | None
    reason: str = ""
    deposited_doi_unknown: str = ""
    best: Match | None = None  # the unambiguous best candidate, even under the threshold (for tuning)
    # Every candidate that passed validation and the threshold, best first: what a query
    # asking for multiple hits lists when the evidence cannot choose one.
    passing: list[Match] = field(default_factory=list)


def _threshold(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _doi_match(citation: Citation) -> tuple[Match | None, str]:
    if not citation.dois:
        return None, ""
    found = set(Work.objects.filter(doi__in=citation.dois[:20]).values_list("doi", flat=True))
    for doi in citation.dois:  # longest (least trimmed) first
        if doi in found:
            return Match(doi=doi, confidence=1.0, method="doi"), ""
    return None, citation.dois[-1]


def _isbn_match(citation: Citation) -> Match | None:
    if not citation.isbns:
        return None
    values: set[str] = set()
    for isbn in citation.isbns:
        values |= isbn_forms(isbn)
    for written in citation.isbns_as_written:
        values |= isbn_hyphenations(written)
    by_title = Work.objects.filter(
        type__in=BOOK_TYPES, container__identifiers__scheme="isbn", container__identifiers__value__in=values
    )
    in_record = Q()
    for i in range(3):
        in_record |= Q(**{f"data__isbns__{i}__value__in": values})
    by_record = Work.objects.filter(type__in=BOOK_TYPES).filter(in_record)
    dois = set(by_title.values_list("doi", flat=True)[:3]) | set(by_record.values_list("doi", flat=True)[:3])
    if len(dois) == 1:
        return Match(doi=dois.pop(), confidence=1.0, method="isbn")
    return None


def citation_match(citation: Citation) -> Outcome:
    """Match one parsed citation."""
    match, unknown_doi = _doi_match(citation)
    if match:
        return Outcome(match, best=match, passing=[match])
    match = _isbn_match(citation)
    if match:
        return Outcome(match, best=match, passing=[match])
    found = candidates_find(citation, keep=lambda candidate: plausible(candidate, citation))
    validated = [candidate_validate(c, citation) for c in found]
    verdicts = sorted((v for v in validated if v.score > 0), key=lambda v: (-v.score, v.candidate.doi))
    if not verdicts:
        sole = sole_verdict(validated, citation)
        if sole is None:
            return Outcome(None, "no candidate has enough supporting fields", unknown_doi)
        verdicts = [sole]
    best: Verdict = verdicts[0]
    if citation.structured:
        threshold, method = (
            _threshold("MATCH_STRUCTURED_THRESHOLD", STRUCTURED_THRESHOLD),
            "structured-validated",
        )
    else:
        threshold, method = (
            _threshold("MATCH_UNSTRUCTURED_THRESHOLD", UNSTRUCTURED_THRESHOLD),
            "search-validated",
        )
    passing = [Match(v.candidate.doi, v.score, method, v.supports) for v in verdicts if v.score >= threshold]
    if len(verdicts) > 1 and verdicts[1].score >= best.score - AMBIGUITY_MARGIN:
        reason = f"{best.candidate.doi} and {verdicts[1].candidate.doi} are equally supported"
        return Outcome(None, reason, unknown_doi, passing=passing)
    candidate = Match(best.candidate.doi, best.score, method, best.supports)
    if best.score < threshold:
        reason = f"best candidate {best.candidate.doi} scored {best.score} < {threshold}"
        return Outcome(None, reason, unknown_doi, best=candidate)
    return Outcome(candidate, deposited_doi_unknown=unknown_doi, best=candidate, passing=passing)


def citation_outcome(citation: Citation) -> Outcome:
    """`citation_match`, and for structured fields that found nothing, another try with
    the unstructured string that came with them (deposits often carry both)."""
    outcome = citation_match(citation)
    if outcome.match or not citation.structured or not citation.unstructured:
        return outcome
    retried = citation_match(citation_from_text(citation.unstructured))
    return retried if retried.match else outcome


def citation_parse(value: str | Mapping[str, object]) -> Citation:
    """A string is an unstructured citation; a mapping holds structured fields."""
    if isinstance(value, Mapping):
        return citation_from_fields(dict(value))
    return citation_from_text(str(value))


def reference_match(value: str | Mapping[str, object]) -> Match | None:
    """The DOI `value` cites, or None."""
    return citation_outcome(citation_parse(value)).match


def references_match(values: list[str | Mapping[str, object]]) -> list[Match | None]:
    return [reference_match(v) for v in values]
