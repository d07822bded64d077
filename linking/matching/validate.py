"""Validation: how well one candidate's metadata is supported by the citation.

The score is a generalised Jaccard similarity, sum(min(a, b)) / sum(max(a, b)), over
weighted features: `a` is what the candidate has, `b` what the citation supports. Numbers
(volume, year, issue, pages) are taken from the citation's pool once each; numbers left
over count against the candidate. A support gate rejects thin evidence outright: a
similar title with the wrong year, or an author and a year alone, is never a match."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from linking.matching.candidates import Candidate
from linking.matching.normalise import first_int, fold, words
from linking.matching.parse import Citation, number_pool, page_ranges, search_string

STOPWORDS = {
    "of",
    "the",
    "and",
    "for",
    "in",
    "on",
    "a",
    "an",
    "de",
    "la",
    "le",
    "der",
    "und",
    "fur",
    "&",
}
# Words of citations that say nothing about which work is cited.
BOILERPLATE = set(
    "vol vols pp pages page volume issue number retrieved from epub ahead print internet available online "
    "accessed eds editor editors edition press doi http https www org com et al and the with for jan feb mar "
    "apr may jun jul aug sep sept oct nov dec january february march april june july august september "
    "october november december abstract journal in of on to by suppl supplement part".split()
)
_LINE_BREAK_HYPHEN = re.compile(r"([^\W\d_])- ([^\W\d_])")
_ROMAN = re.compile(r"[IVXLCDM]{2,}")
STRONG = 0.75  # a fuzzy field "supports" the candidate from this similarity up


@dataclass
class Verdict:
    candidate: Candidate
    score: float
    supports: list[str] = field(default_factory=list)
    reason: str = ""
    shortfall: int = 0  # supporting fields missing to pass the gate (then score is 0)
    provisional: float = 0.0  # the score it would have had with enough supporting fields
    leftover: int = 0  # numbers of the string the candidate does not explain
    contradicted: bool = False  # a field given in the citation disagrees with the record
    unexplained: int = 0  # words of the string the record does not hold (author names among them)
    title: float = 0.0  # title similarity


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100 if a and b else 0.0


def _partial(needle: str, haystack: str) -> float:
    if not needle or not haystack:
        return 0.0
    return fuzz.partial_ratio(needle, haystack) / 100


def abbreviation_found(name: str, text_words: list[str]) -> bool:
    """Whether `text_words` holds `name` abbreviated word by word ("Phys Rev Lett" for
    "Physical Review Letters"): consecutive words, each a prefix of the next significant
    word of the name."""
    significant = [w for w in words(name) if w not in STOPWORDS]
    if not significant or sum(len(w) for w in significant) < 6:
        return False
    size = len(significant)
    for start in range(0, len(text_words) - size + 1):
        window = [w for w in text_words[start : start + size + 2] if w not in STOPWORDS][:size]
        if len(window) == size and all(
            full.startswith(short) and (len(short) >= 3 or short == full)
            for short, full in zip(window, significant, strict=True)
        ):
            return True
    return False


def container_score(candidate: Candidate, text: str, *, whole: bool) -> float:
    """How well `text` names the candidate's container (full, short or abbreviated)."""
    names = [n for n in [candidate.container_title, *candidate.short_titles] if n]
    if not names:
        return 0.0
    folded = fold(text)
    text_words = words(text)
    best = 0.0
    for name in names:
        target = fold(name)
        if whole:
            best = max(
                best, _ratio(target, folded), 0.95 * _partial(target, folded) if len(folded) > 3 else 0
            )
        elif len(target) >= 4:
            best = max(
                best, _partial(target, folded) if len(target) >= 8 else float(f" {target} " in f" {folded} ")
            )
        if abbreviation_found(name, text_words):
            best = max(best, 0.95)
    return best


def author_score(candidate: Candidate, text: str, *, whole: bool) -> float:
    """The first author's family name against the start of the string (or the author field)."""
    if not candidate.authors:
        return 0.0
    name = fold(candidate.authors[0])
    if not name:
        return 0.0
    folded = fold(text)
    if whole:
        return _partial(name, folded) if " " in folded else _ratio(name, folded)
    window = folded[: 5 * len(name) + 12]
    return _partial(name, window)


def title_score(candidate: Candidate, text: str, *, whole: bool) -> float:
    title = fold(candidate.title)
    folded = fold(text)
    if len(title) < 4 or not folded:
        return 0.0
    if whole:
        return max(_ratio(title, folded), 0.95 * _partial(folded, title) if len(folded) >= 15 else 0.0)
    return _partial(title, folded) if len(title) <= len(folded) else 0.9 * _partial(folded, title)


class _Pool:
    def __init__(self, numbers: list[int]):
        self.counts = Counter(numbers)

    def take(self, value: int | None) -> bool:
        if value is not None and self.counts[value] > 0:
            self.counts[value] -= 1
            return True
        return False

    def has(self, value: int) -> bool:
        return self.counts[value] > 0

    def left(self) -> int:
        return sum(self.counts.values())


def unexplained_share(candidate: Candidate, text: str) -> tuple[float, int]:
    """(share, count) of the string's meaningful words that the candidate's metadata does
    not contain: a title that is not the candidate's shows up here even when every number
    agrees (same author, journal and year, another paper)."""
    described = [candidate.title, candidate.container_title, candidate.publisher, *candidate.short_titles]
    known = set(words(" ".join(described)))
    known |= set(words(" ".join(candidate.names)))
    text = _LINE_BREAK_HYPHEN.sub(r"\1\2", text)  # "Gene- tics": a word broken at a line end
    tokens = [w for w in words(text) if len(w) >= 3 and not w.isdigit() and w not in BOILERPLATE]
    tokens = [w for w in tokens if w not in STOPWORDS]
    if not tokens:
        return 0.0, 0
    # A word broken by OCR or a line end ("Commun ication") is explained by the record's
    # text run together.
    run_together = "".join(w for w in words(" ".join([*described, *candidate.names])))
    unexplained = [
        w
        for w in tokens
        if w not in known
        and not (len(w) >= 4 and any(k.startswith(w) for k in known))
        and not (len(w) >= 5 and w in run_together)
    ]
    return len(unexplained) / len(tokens), len(unexplained)


def _unstructured(candidate: Candidate, citation: Citation) -> Verdict:
    text = search_string(citation.text)
    pool = _Pool(number_pool(citation.text))
    if not pool.left():
        return Verdict(candidate, 0.0, reason="no numbers in the string")
    features: list[tuple[float, float]] = []
    supports: list[str] = []
    volume, issue = first_int(candidate.volume), first_int(candidate.issue)
    if volume is None and _ROMAN.fullmatch(candidate.volume.strip()):
        found = candidate.volume.strip().upper() in set(re.findall(r"\b[IVXLCDM]{2,}\b", citation.text))
        features.append((1.0, float(found)))
        if found:
            supports.append("volume")
    if volume is not None:
        weak = volume == candidate.year  # a volume that is the year says no more than the year
        if weak and pool.counts[volume] == 1:
            pool.counts[volume] += 1  # ... and is often printed once
        found = pool.take(volume)
        features.append((0.3, 0.3 * found) if weak else (1.0, float(found)))
        if found and not weak:
            supports.append("volume")
    if candidate.year is not None:
        if pool.take(candidate.year):
            features.append((1.0, 1.0))
            supports.append("year")
        elif pool.take(candidate.year + 1) or pool.take(candidate.year - 1):
            features.append((1.0, 0.5))
            supports.append("year±1")
        else:
            features.append((1.0, 0.0))
    if issue is not None and issue != volume:
        found = pool.take(issue)
        features.append((0.5, 0.5 if found else 0.0))
    page = first_int(candidate.first_page)
    page = first_int(candidate.article_number) if page is None else page
    if page is not None:
        found = pool.take(page)
        weak = page <= 1 and candidate.type != "book-chapter"  # article-number journals: every paper on p. 1
        features.append((0.3, 0.3 * found) if weak else (1.0, float(found)))
        if found and not weak:
            supports.append("page")
        last = first_int(candidate.last_page)
        if found and last is not None and last != page and pool.take(last):
            features.append((0.5, 0.5))
        ranges = page_ranges(citation.text)
        if ranges and not found and not any(start == page for start, _ in ranges):
            # The string's pages are another part of the same book or issue.
            first, last_cited = ranges[0]
            reason = f"the string cites pages {first}-{last_cited}, the record starts on page {page}"
            return Verdict(candidate, 0.0, supports, reason, contradicted=True)
    for number in [
        first_int(w) for w in words(candidate.title) + words(candidate.container_title) if w.isdigit()
    ]:
        if pool.take(number):
            features.append((0.5, 0.5))
    author = author_score(candidate, text, whole=False)
    if candidate.authors:
        features.append((1.0, author))
        if author >= STRONG:
            supports.append("author")
    title = title_score(candidate, text, whole=False)
    if title >= 0.95 and len(candidate.title) >= 30:
        supports.append("title!")
    if title >= STRONG:
        supports.append("title")
        features.append((1.5, 1.5 * title))
    elif candidate.title:
        features.append((0.5, 0.0))
    container = container_score(candidate, text, whole=False)
    if container >= 0.85:
        supports.append("container")
        features.append((1.0, container))
    elif candidate.container_title:
        features.append((0.5, 0.0))
    if candidate.type == "book-chapter" and not {"title", "page"} & set(supports):
        return Verdict(
            candidate, 0.0, supports, "a chapter, but the string names neither its title nor its pages"
        )
    leftover = pool.left()
    for _ in range(leftover):
        features.append((0.0, 0.5))
    share, count = unexplained_share(candidate, text)
    if count >= 4 and share > 0.4:
        return Verdict(candidate, 0.0, supports, f"{count} words of the string are not in the record")
    features.append((0.0, 2.0 * share))
    verdict = _decide(candidate, features, supports)
    verdict.leftover, verdict.title, verdict.unexplained = leftover, title, count
    return verdict


def _number_feature(
    mine: str, theirs: str, *, weight: float = 1.0, year: bool = False
) -> tuple[float, float] | None:
    cited, held = first_int(mine), first_int(theirs)
    if cited is None:
        same = bool(mine.strip()) and mine.strip().lower() == theirs.strip().lower()
        return (weight, weight) if same else None  # a Roman volume, a page "vi"
    if held is None:
        return (0.5 * weight, 0.0)
    if cited == held:
        return (weight, weight)
    if year and abs(cited - held) == 1:
        return (weight, 0.5 * weight)
    return (weight, 0.0)


def _structured(candidate: Candidate, citation: Citation) -> Verdict:
    features: list[tuple[float, float]] = []
    supports: list[str] = []
    year = str(candidate.year) if candidate.year else ""
    page = candidate.first_page or candidate.article_number
    weak_volume = bool(year) and first_int(candidate.volume) == candidate.year
    weak_page = (first_int(page) or 0) <= 1
    contradicted = False
    pages_or_volume: list[str] = []
    for name, mine, theirs, weight in (
        ("year", citation.year, year, 1.0),
        ("volume", citation.volume, candidate.volume, 0.3 if weak_volume else 1.0),
        ("page", citation.first_page, page, 0.3 if weak_page else 1.0),
        ("issue", citation.issue, candidate.issue, 0.5),
    ):
        feature = _number_feature(mine, theirs, weight=weight, year=name == "year")
        if feature is None:
            continue
        if name == "page" and feature[1] == 0 and first_int(mine) == first_int(candidate.article_number):
            feature = (weight, weight)  # the article number, cited as the page
        disagrees = feature[1] == 0 and feature[0] == weight  # both sides hold it, and differ
        contradicted |= disagrees
        if disagrees and name in ("page", "volume"):
            pages_or_volume.append(f"{name} {mine} (the record has {theirs})")
        features.append(feature)
        if feature[1] > 0 and name != "issue" and weight >= 1.0:
            supports.append(name)
    texts = 0
    title = 0.0
    if citation.author:
        score = author_score(candidate, citation.author, whole=True)
        features.append((1.0, score))
        if score > 0.7:
            supports.append("author")
            texts += 1
    if citation.article_title:
        score = title = title_score(candidate, citation.article_title, whole=True)
        features.append((1.5, 1.5 * score))
        if score >= 0.95 and len(candidate.title) >= 30:
            supports.append("title!")
        if score > 0.7:
            supports.append("title")
            texts += 1
    if citation.container_title:
        score = container_score(candidate, citation.container_title, whole=True)
        features.append((1.0, score))
        if score > 0.7:
            supports.append("container")
            texts += 1
    if citation.volume_title:
        score = max(
            title_score(candidate, citation.volume_title, whole=True),
            _ratio(fold(citation.volume_title), fold(candidate.container_title)),
        )
        features.append((1.0, score))
        if score > 0.7:
            supports.append("volume-title")
            texts += 1
    if not texts:
        return Verdict(candidate, 0.0, supports, "no title, container or author agrees")
    if candidate.type == "book-chapter" and not citation.first_page:
        return Verdict(candidate, 0.0, supports, "a chapter, but the citation names no page")
    if pages_or_volume and "title!" not in supports:
        reason = f"the citation gives {', '.join(pages_or_volume)}"
        return Verdict(candidate, 0.0, supports, reason, contradicted=True)
    verdict = _decide(candidate, features, supports)
    verdict.contradicted, verdict.title = contradicted, title
    return verdict


def _decide(candidate: Candidate, features: list[tuple[float, float]], supports: list[str]) -> Verdict:
    needed = 4 if candidate.type == "journal-article" else 3
    if {"title!", "author", "year"} <= set(supports):
        needed = 3  # the same title, first author and year: enough even without pages
    count = sum(1 for s in supports if s != "title!")  # a marker, not another field
    top = sum(max(a, b) for a, b in features)
    score = round(sum(min(a, b) for a, b in features) / top, 4) if top else 0.0
    if count < needed:
        reason = f"{count} supporting fields, {needed} needed"
        return Verdict(candidate, 0.0, supports, reason, shortfall=needed - count, provisional=score)
    return Verdict(candidate, score, supports, provisional=score)


def plausible(candidate: Candidate, citation: Citation) -> bool:
    """A cheap first look at the work columns: enough numbers (or the title) agree that
    full validation can possibly accept it."""
    if candidate.type in ("journal-issue", "journal-volume", "journal"):
        return False
    pool = set(number_pool(citation.text))
    year = candidate.year
    hits = int(year is not None and bool({year, year - 1, year + 1} & pool))
    volume = first_int(candidate.volume)
    hits += int(volume is not None and volume != year and volume in pool)
    page = first_int(candidate.first_page) or first_int(candidate.article_number)
    hits += int(page is not None and page > 1 and page in pool)
    if hits < 2:
        text = citation.article_title or citation.volume_title or search_string(citation.text)
        hits += int(title_score(candidate, text, whole=False) >= STRONG)
    if hits < 2 and candidate.container_title:
        # Title-less styles citing article-number journals: the journal's name is the evidence.
        text = citation.container_title if citation.structured else search_string(citation.text)
        hits += int(container_score(candidate, text, whole=citation.structured) >= 0.85)
    return hits >= (2 if candidate.type == "journal-article" else 1)


def candidate_validate(candidate: Candidate, citation: Citation) -> Verdict:
    if candidate.type in ("journal-issue", "journal-volume", "journal"):
        return Verdict(candidate, 0.0, reason=f"{candidate.type} records are never a reference's target")
    return _structured(candidate, citation) if citation.structured else _unstructured(candidate, citation)
