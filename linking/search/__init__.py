"""Full-text search over the registry: one small interface, a backend per database
(SQLite FTS5, PostgreSQL tsvector). Callers (REST API, HTML search, the matcher) go
through these two functions only."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet, Value


def works_matching(works: QuerySet, text: str, *, field: str = "bibliographic") -> QuerySet:
    """Narrow `works` to those matching `text` in `field` (bibliographic, title, author,
    container-title, publisher, affiliation, editor, funder-name, ...) and annotate each
    with `relevance` (a float, higher is better).

    Placeholder until the search backends land: every word must occur in the title."""
    condition = Q()
    for word in text.split():
        condition &= Q(title__icontains=word) | Q(container_title__icontains=word)
    return works.filter(condition).annotate(relevance=Value(1.0))


def index_works(work_ids: Iterable[int]) -> None:
    """(Re)build the search text of these works. Called by registration inside its
    transaction, so a work is findable the moment its batch commits."""
