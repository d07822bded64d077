"""A page of a work list: search, filters, sort, paging (offset, cursor, sample) and facets,
shared by `/works` and every `/<thing>/{id}/works` route."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, FloatField, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.http import QueryDict

from linking.api import cursors, jsonsql
from linking.api.facets import FACETS, works_facets
from linking.api.filters import works_filtered
from linking.api.params import WORKS_OFFSET_MAX, Params, parse
from linking.api.render import selected, work_message
from linking.api.selectors import work_sides
from linking.search import works_matching_fields

# sort name → (column for keyset paging or None, is a datetime)
COLUMN_SORTS = {
    "updated": ("updated_at", True),
    "deposited": ("updated_at", True),
    "indexed": ("indexed_at", True),
    "created": ("created_at", True),
    "published": ("issued", False),
    "issued": ("issued", False),
    "is-referenced-by-count": ("cited_by_count", False),
}


def searched(works: QuerySet, params: Params) -> tuple[QuerySet, bool]:
    """Narrow by `query` and every `query.<field>` (ANDed), annotated with `relevance`."""
    queries = dict(params.field_queries)
    if params.query:
        queries["bibliographic"] = " ".join(filter(None, [params.query, queries.get("bibliographic")]))
    if not queries:
        return works, False
    return works_matching_fields(works, queries), True


def _order(works: QuerySet, params: Params, searching: bool, cursor: bool) -> tuple[QuerySet, tuple | None]:
    """Order the works; returns the keyset (column, descending, is_datetime) when the order
    allows keyset paging, None when cursors fall back to offsets."""
    descending = params.order == "desc"
    sort = params.sort
    if sort in ("", "score", "relevance"):
        if searching:
            return works.order_by("-relevance" if descending else "relevance", "pk"), None
        if cursor and not sort:
            # Harvest order: oldest change first, so a record changed during the harvest
            # is met again at the end rather than skipped.
            return works.order_by("indexed_at", "pk"), ("indexed_at", False, True)
        return works.order_by("-indexed_at" if descending else "indexed_at", "-pk" if descending else "pk"), (
            "indexed_at",
            descending,
            True,
        )
    if sort in COLUMN_SORTS:
        column, is_datetime = COLUMN_SORTS[sort]
        direction = "-" if descending else ""
        return works.order_by(f"{direction}{column}", f"{direction}pk"), (column, descending, is_datetime)
    if sort == "references-count":
        works = works.annotate(_refs=Count("references"))
        return works.order_by("-_refs" if descending else "_refs", "pk"), None
    record_field = {"published-print": "published_print", "published-online": "published_online"}[sort]
    expression = RawSQL(jsonsql.date_number((record_field,)), [], output_field=FloatField())
    return works.order_by(OrderBy(expression, descending=descending, nulls_last=True), "pk"), None


def works_page(data: QueryDict, works: QuerySet, *, path: str) -> dict[str, Any]:
    """The `message` of a work list for the query string `data` over `works`."""
    params = parse(data, works=True, facet_names=FACETS, offset_max=WORKS_OFFSET_MAX)
    works = works_filtered(works, params.filters)
    works, searching = searched(works, params)
    message: dict[str, Any] = {}
    if params.sample is not None:
        page = list(works.order_by("?")[: params.sample])
        total = len(page)
        message["facets"] = works_facets(works, params.facets, total) if params.facets else {}
    else:
        using_cursor = params.cursor is not None
        ordered, keyset = _order(works, params, searching, using_cursor)
        digest = cursors.request_digest(path, {k: data.get(k) for k in data})
        position = cursors.decode(params.cursor, digest) if using_cursor else None
        if position is None:
            total = works.count()
            position = cursors.Position(total=total)
        total = position.total
        message["facets"] = works_facets(works, params.facets, total) if params.facets else {}
        if using_cursor:
            if keyset is not None and position.key is not None:
                column, descending, is_datetime = keyset
                ordered = cursors.after(ordered, column, descending, position.key, is_datetime)
                page = list(ordered[: params.rows])
            elif keyset is not None:
                page = list(ordered[: params.rows])
            else:
                page = list(ordered[position.offset : position.offset + params.rows])
            following = cursors.Position(total=total, offset=position.offset + len(page), key=position.key)
            if keyset is not None and page:
                last = page[-1]
                following.key = [getattr(last, keyset[0]), last.pk]
            message["next-cursor"] = cursors.encode(following, digest)
        else:
            page = list(ordered[params.offset : params.offset + params.rows]) if params.rows else []
    sides = work_sides(page)
    items = [
        selected(work_message(w, sides, score=float(w.relevance) if searching else 0.0), params.select)
        for w in page
    ]
    message.update(
        {
            "total-results": total,
            "items": items,
            "items-per-page": params.rows if params.sample is None else 20,
            "query": {"start-index": params.offset, "search-terms": params.search_terms},
        }
    )
    return message
