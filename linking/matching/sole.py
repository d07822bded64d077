"""The sole-work rule, for citations one supporting field short of the gate: a title-less
citation of an article-number journal (first author, journal, year), a journal with year
and first page but no author, a distinctive title with its year. Like the legacy query
engine's "exactly one record", such a citation is matched only when nothing in it
contradicts the record, it names something that identifies a work (an author, a first
page or a distinctive title), and no other registered work agrees with everything it gives."""

from __future__ import annotations

from linking.matching.normalise import first_int, fold, letters, words
from linking.matching.parse import Citation
from linking.matching.selectors import alike_work_exists
from linking.matching.validate import STOPWORDS, Verdict

SOLE_TITLE = 0.95  # title similarity that identifies a work
SOLE_TITLE_CHARS = 15
SOLE_CONFIDENCE = 0.9  # at most: the evidence is thinner than a full validation's


def _year_exact(verdict: Verdict, citation: Citation) -> bool:
    if citation.structured:
        return first_int(citation.year) == verdict.candidate.year
    return "year" in verdict.supports


def _title_identifies(verdict: Verdict) -> bool:
    title = verdict.candidate.title
    distinctive = len(fold(title)) >= SOLE_TITLE_CHARS and (
        len([w for w in words(title) if w not in STOPWORDS]) >= 2
    )
    return verdict.title >= SOLE_TITLE and distinctive


def _eligible(verdict: Verdict, citation: Citation) -> bool:
    if verdict.shortfall != 1 or verdict.contradicted or verdict.leftover or verdict.unexplained:
        return False  # every number and word of the string must be the record's
    supports = set(verdict.supports) - {"title!"}
    titled = _title_identifies(verdict)
    identified = titled or bool({"author", "page"} & supports)
    if not identified or not (len(supports) >= 3 or (titled and "year" in supports)):
        return False
    return "year" not in supports or _year_exact(verdict, citation)


def _authors_cited(verdict: Verdict, citation: Citation) -> list[str]:
    """The first author, and up to two co-authors the string names too: a paper is alone
    more often among the works of its whole author list than of its first author."""
    families = verdict.candidate.families or verdict.candidate.authors
    if not families:
        return []
    cited = set(words(citation.author if citation.structured else citation.text))
    coauthors = [
        family
        for family in families[1:]
        if len(letters(family)) >= 3 and set(words(family)) <= cited and fold(family) != fold(families[0])
    ]
    return [families[0], *coauthors[:2]]


def sole_verdict(verdicts: list[Verdict], citation: Citation) -> Verdict | None:
    """The one verdict short of a single supporting field that the sole-work rule accepts, or None."""
    eligible = [v for v in verdicts if _eligible(v, citation)]
    if len(eligible) > 1:  # the papers of one first author: those with the most co-authors cited
        most = max(len(_authors_cited(v, citation)) for v in eligible)
        eligible = [v for v in eligible if len(_authors_cited(v, citation)) == most]
    if len(eligible) != 1:
        return None
    verdict = eligible[0]
    candidate, supports = verdict.candidate, set(verdict.supports)
    in_container = "container" in supports
    alike = alike_work_exists(
        pk=candidate.pk,
        year=candidate.year if "year" in supports else None,
        container_id=candidate.container_id if in_container else None,
        container_title=candidate.container_title if in_container else "",
        volume=candidate.volume if "volume" in supports else "",
        first_page=candidate.first_page if "page" in supports else "",
        authors=_authors_cited(verdict, citation) if "author" in supports else (),
        title=candidate.title if _title_identifies(verdict) else "",
    )
    if alike:
        return None
    verdict.supports.append("sole")
    verdict.score = min(verdict.provisional, SOLE_CONFIDENCE)
    return verdict
