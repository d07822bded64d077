"""Candidate retrieval: the search backend's ranked hits for the cleaned string, plus a
structured look-up by container (ISSN or a journal title named in the string), volume
and first page, which finds the right work even when the string has no title."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from linking import search
from linking.matching.normalise import fold, markup_strip, words
from linking.matching.parse import Citation, number_pool
from linking.models import Title, TitleIdentifier, Work

SEARCH_ROWS = 20
NARROW_ROWS = 20
_FIELDS = (
    "pk",
    "doi",
    "type",
    "title",
    "container_id",
    "container_title",
    "volume",
    "issue",
    "first_page",
    "article_number",
    "issued",
)


@dataclass
class Candidate:
    pk: int
    doi: str
    type: str
    title: str
    container_title: str
    container_id: int | None
    volume: str
    issue: str
    first_page: str
    article_number: str
    year: int | None
    authors: list[str] = field(default_factory=list)  # family names (or organisation names), first first
    names: list[str] = field(default_factory=list)  # every given and family name held (first 100 people)
    families: list[str] = field(default_factory=list)  # family names of the first 8 authors, in order
    short_titles: list[str] = field(default_factory=list)
    last_page: str = ""
    publisher: str = ""
    relevance: float = 0.0
    found_by: str = "search"


def _family(person: object) -> str:
    if not isinstance(person, dict):
        return ""
    return str(person.get("family") or person.get("name") or "")


def _candidates(ids: list[int], relevance: dict[int, float], found_by: dict[int, str]) -> list[Candidate]:
    """Candidates from the work columns only (no JSON: parsing `data` is the costly part)."""
    by_pk = {}
    for row in Work.objects.filter(pk__in=ids).values(*_FIELDS):
        issued = row["issued"] or ""
        by_pk[row["pk"]] = Candidate(
            pk=row["pk"],
            doi=row["doi"],
            type=row["type"],
            title=markup_strip(row["title"] or ""),
            container_title=markup_strip(row["container_title"] or ""),
            container_id=row["container_id"],
            volume=row["volume"] or "",
            issue=row["issue"] or "",
            first_page=row["first_page"] or "",
            article_number=row["article_number"] or "",
            year=int(issued[:4]) if issued[:4].isdigit() and issued[:4] != "0000" else None,
            relevance=relevance.get(row["pk"], 0.0),
            found_by=found_by.get(row["pk"], "search"),
        )
    return [by_pk[i] for i in ids if i in by_pk]


def details_fill(candidates: list[Candidate]) -> None:
    """Add people, short container titles and the last page from the stored record."""
    if not candidates:
        return
    rows = Work.objects.filter(pk__in=[c.pk for c in candidates]).values_list(
        "pk", "data__contributors", "data__container__short_titles", "data__last_page", "data__publisher"
    )
    details = {pk: (people, shorts, last, publisher) for pk, people, shorts, last, publisher in rows}
    for candidate in candidates:
        people, shorts, last, publisher = details.get(candidate.pk, (None, None, None, None))
        # Names of up to 100 people: a title-less string may list dozens of authors.
        people = [p for p in (people or [])[:100] if isinstance(p, dict)]
        # Authors first; an editor only when the work has no author (as in edited books).
        chosen = [p for p in people if p.get("role", "author") == "author"] or people
        candidate.families = [f for f in (_family(p) for p in chosen[:8]) if f]
        candidate.authors = candidate.families[:2]
        candidate.names = [str(p.get(k)) for p in people for k in ("given", "family", "name") if p.get(k)]
        candidate.short_titles = [t for t in (shorts or []) if isinstance(t, str)]
        candidate.last_page = str(last or "")
        candidate.publisher = str(publisher or "") if isinstance(publisher, str) else ""


class _TitleNames:
    """Folded journal names (full and short) → title ids, cached for a few minutes so a
    string naming a journal finds its title without a query per reference."""

    ttl = 300.0

    def __init__(self) -> None:
        self.loaded_at = 0.0
        self.count = -1
        self.by_name: dict[str, set[int]] = {}
        self.longest = 0

    def _load(self) -> None:
        by_name: dict[str, set[int]] = {}
        for pk, title, data in Title.objects.values_list("pk", "title", "data").iterator(chunk_size=2000):
            data = data if isinstance(data, dict) else {}
            for name in [title, *(data.get("titles") or []), *(data.get("short_titles") or [])]:
                key = " ".join(words(name or ""))
                if len(key) >= 4 and len(key.split()) >= 1:
                    by_name.setdefault(key, set()).add(pk)
        self.by_name = by_name
        self.longest = max((len(k.split()) for k in by_name), default=0)
        self.loaded_at = time.monotonic()

    def titles_in(self, text: str) -> set[int]:
        if time.monotonic() - self.loaded_at > self.ttl:
            count = Title.objects.count()
            if count != self.count:
                self.count = count
                self._load()
            else:
                self.loaded_at = time.monotonic()
        tokens = words(text)
        found: set[int] = set()
        for size in range(min(self.longest, 12), 0, -1):
            for start in range(0, len(tokens) - size + 1):
                ids = self.by_name.get(" ".join(tokens[start : start + size]))
                if ids and (size > 1 or len(tokens[start]) >= 5):
                    found |= ids
        return found


TITLE_NAMES = _TitleNames()


def titles_reset() -> None:
    """Forget cached journal names (tests register titles and expect them found at once)."""
    TITLE_NAMES.loaded_at = 0.0
    TITLE_NAMES.count = -1


def _narrowed(citation: Citation) -> list[int]:
    title_ids: set[int] = set()
    if citation.issn:
        title_ids |= set(
            TitleIdentifier.objects.filter(scheme="issn", value=citation.issn).values_list(
                "title_id", flat=True
            )
        )
    name_text = citation.container_title if citation.structured else citation.search_text
    if name_text:
        title_ids |= TITLE_NAMES.titles_in(name_text)
    if not title_ids or len(title_ids) > 50:
        return []
    if citation.structured:
        pages = [citation.first_page.strip()] if citation.first_page.strip() else []
        volumes = [citation.volume.strip()] if citation.volume.strip() else []
    else:
        numbers = [str(n) for n in number_pool(citation.text)][:12]
        pages, volumes = numbers, numbers
    if not pages:
        return []
    condition = Q(container_id__in=title_ids) & (Q(first_page__in=pages) | Q(article_number__in=pages))
    if volumes:
        condition &= Q(volume__in=volumes) | Q(volume="")
    return list(Work.objects.filter(condition).values_list("pk", flat=True)[:NARROW_ROWS])


def _search_hits(text: str) -> list[tuple[int, float]]:
    """The search backend's best hits: its index-only fast road when it has one."""
    fast = getattr(search, "work_candidates", None)
    if fast is not None:
        return fast(text, limit=SEARCH_ROWS)
    hits = search.works_matching(Work.objects.all(), text, field="bibliographic").order_by("-relevance")
    return list(hits.values_list("pk", "relevance")[:SEARCH_ROWS])


def candidates_find(
    citation: Citation, *, keep: Callable[[Candidate], bool] | None = None
) -> list[Candidate]:
    """The search's best hits that `keep` accepts (a cheap test on the work columns);
    when none is left, the structured look-up's. Only those kept get their details loaded."""
    relevance: dict[int, float] = {}
    text = citation.search_text
    if text and fold(text):
        for pk, score in _search_hits(text):
            relevance.setdefault(pk, float(score or 0.0))
    found = [c for c in _candidates(list(relevance), relevance, {}) if keep is None or keep(c)]
    if not found:
        extra = [pk for pk in _narrowed(citation) if pk not in relevance]
        found_by = dict.fromkeys(extra, "container")
        found = [c for c in _candidates(extra, {}, found_by) if keep is None or keep(c)]
    details_fill(found)
    return found
