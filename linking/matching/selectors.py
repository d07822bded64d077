"""Reads of reference matching: cited-by lists, forward links, unknown reference DOIs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from linking.matching.normalise import doi_normalise
from linking.models import Work, WorkReference


def citing_works(doi: str) -> QuerySet[Work]:
    """The works whose references are matched to `doi`, newest first (landing pages,
    the REST API's cited-by)."""
    doi = doi_normalise(doi)
    citing = WorkReference.objects.filter(matched_doi=doi, match_status="matched").values("work_id")
    return Work.objects.filter(pk__in=citing).order_by("-issued", "doi")


def unknown_reference_dois(dois: Iterable[str]) -> set[str]:
    """The DOIs among `dois` (as deposited in references) that are not registered here;
    the deposit log reports each as a warning."""
    wanted = {doi_normalise(d) for d in dois if d and d.strip()}
    known: set[str] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 1000):
        known |= set(Work.objects.filter(doi__in=ordered[start : start + 1000]).values_list("doi", flat=True))
    return wanted - known


@dataclass(frozen=True)
class ForwardLink:
    cited_doi: str
    citing: Work
    matched_at: datetime | None


def forward_links(
    *,
    prefixes: Iterable[str],
    doi: str = "",
    prefix: str = "",
    start: date | None = None,
    end: date | None = None,
    limit: int = 10_000,
) -> list[ForwardLink]:
    """Citations of works under `prefixes` (the member's own), for one DOI or one prefix,
    matched within [start, end]. DOIs outside `prefixes` are never returned."""
    allowed = {p.lower() for p in prefixes}
    references = WorkReference.objects.filter(match_status="matched")
    if doi:
        doi = doi_normalise(doi)
        if doi.split("/", 1)[0] not in allowed:
            return []
        references = references.filter(matched_doi=doi)
    elif prefix:
        if prefix.lower() not in allowed:
            return []
        references = references.filter(matched_doi__startswith=f"{prefix.lower()}/")
    else:
        return []
    if start:
        references = references.filter(matched_at__date__gte=start)
    if end:
        references = references.filter(matched_at__date__lte=end)
    rows = list(references.select_related("work").order_by("matched_doi", "work__doi")[:limit])
    return [ForwardLink(r.matched_doi, r.work, r.matched_at) for r in rows]


def new_citations(*, since: datetime | None, until: datetime) -> dict[int, list[tuple[str, str]]]:
    """(cited DOI, citing DOI) pairs matched in (since, until], by the cited work's organisation id."""
    references = WorkReference.objects.filter(match_status="matched", matched_at__lte=until)
    if since:
        references = references.filter(matched_at__gt=since)
    pairs = list(references.values_list("matched_doi", "work__doi").order_by("matched_doi", "work__doi"))
    owners = dict(
        Work.objects.filter(doi__in={cited for cited, _ in pairs}).values_list("doi", "organisation_id")
    )
    grouped: dict[int, list[tuple[str, str]]] = {}
    for cited, citing in pairs:
        if cited in owners:
            grouped.setdefault(owners[cited], []).append((cited, citing))
    return grouped


def alike_work_exists(
    *,
    pk: int,
    year: int | None = None,
    container_id: int | None = None,
    container_title: str = "",
    volume: str = "",
    first_page: str = "",
    authors: Sequence[str] = (),
    title: str = "",
) -> bool:
    """Whether a work other than `pk` agrees with every given field: year ±1, container,
    volume, first page, each of `authors` among its authors, a title like `title`. The
    sole-work rule's check (`sole.py`)."""
    from rapidfuzz import fuzz

    from linking import search
    from linking.matching.normalise import fold, markup_strip

    works = Work.objects.exclude(pk=pk)
    if year:
        works = works.filter(issued__gte=str(year - 1), issued__lt=str(year + 2))
    if container_id:
        works = works.filter(container_id=container_id)
    elif container_title:
        works = works.filter(container_title__iexact=container_title)
    if volume:
        works = works.filter(volume=volume)
    if first_page:
        works = works.filter(first_page=first_page)
    for number, author in enumerate(authors):
        if number:  # one search per query set: narrow the last one's ids
            works = Work.objects.filter(pk__in=search.works_ids_sql(works))
        works = search.works_matching_fields(works, {"author": author})
        if works.query.is_empty():
            return True  # a name the search cannot look up: assume it is not alone
    if not title:
        return works.exists()
    if authors:
        works = Work.objects.filter(pk__in=search.works_ids_sql(works))
    works = search.works_matching_fields(works, {"title": title})
    wanted = fold(title)
    return any(
        fuzz.ratio(fold(markup_strip(other or "")), wanted) >= 85
        for other in works.order_by("-relevance").values_list("title", flat=True)[:20]
    )
