"""Routes of the Crossref-compatible REST API. Thin: parse, select, render."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils.http import http_date, parse_http_date_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from linking import formats
from linking.api import cursors
from linking.api.base import ApiView, NotFound, ok
from linking.api.params import check_singleton, fail
from linking.api.render import work_message
from linking.api.selectors import work_sides, works_base
from linking.api.works import works_page
from linking.models import Work

DOI_IN_PATH = re.compile(r"^(?:doi:|https?:/+(?:dx\.)?doi\.org/)", re.I)
LOOKUP_MAX = 1000

WORKS_PARAMETERS = [
    OpenApiParameter("query", str, description="Free text over the whole record"),
    OpenApiParameter("query.bibliographic", str, description="Titles, authors, ISSNs, years"),
    OpenApiParameter("query.author", str),
    OpenApiParameter("query.container-title", str),
    OpenApiParameter("filter", str, description="name:value,name:value (see the filter list)"),
    OpenApiParameter("facet", str, description="name:count,..."),
    OpenApiParameter(
        "sort",
        str,
        enum=[
            "score",
            "relevance",
            "updated",
            "deposited",
            "indexed",
            "created",
            "published",
            "published-print",
            "published-online",
            "issued",
            "is-referenced-by-count",
            "references-count",
        ],
    ),
    OpenApiParameter("order", str, enum=["asc", "desc"]),
    OpenApiParameter("select", str),
    OpenApiParameter("rows", int),
    OpenApiParameter("offset", int),
    OpenApiParameter("sample", int),
    OpenApiParameter("cursor", str),
    OpenApiParameter("mailto", str),
]
LIST_PARAMETERS = [
    OpenApiParameter("query", str),
    OpenApiParameter("filter", str),
    OpenApiParameter("rows", int),
    OpenApiParameter("offset", int),
    OpenApiParameter("cursor", str),
    OpenApiParameter("mailto", str),
]
SINGLETON_PARAMETERS = [OpenApiParameter("mailto", str)]


def doi_from_path(raw: str) -> str:
    return DOI_IN_PATH.sub("", raw.strip()).lower()


def work_or_404(raw: str) -> Work:
    # No .first(): its ORDER BY id can lead the planner down the primary key index.
    found = list(works_base().filter(doi=doi_from_path(raw))[:1])
    if not found:
        raise NotFound()
    return found[0]


def _path_key(path: str) -> str:
    return re.sub(r"^/api(/v1)?", "", path)


def _works_list(request, works: QuerySet) -> Any:
    return ok("work-list", works_page(request.GET, works, path=_path_key(request.path)))


def _names_matching(queryset: QuerySet, text: str, *fields: str) -> QuerySet:
    for word in re.findall(r"\w+", text):
        either = Q()
        for field in fields:
            either |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(either)
    return queryset


def _paged(request, params, queryset: QuerySet, render, *, message_type: str) -> Any:
    queryset = queryset.order_by("pk")
    message: dict[str, Any] = {}
    if params.cursor is not None:
        digest = cursors.request_digest(_path_key(request.path), {k: request.GET.get(k) for k in request.GET})
        position = cursors.decode(params.cursor, digest) or cursors.Position(total=queryset.count())
        rows = queryset.filter(pk__gt=position.key[1]) if position.key else queryset
        page = list(rows[: params.rows])
        following = cursors.Position(
            total=position.total, key=[page[-1].pk, page[-1].pk] if page else position.key
        )
        message["next-cursor"] = cursors.encode(following, digest)
        total = position.total
    else:
        total = queryset.count()
        page = list(queryset[params.offset : params.offset + params.rows])
    message.update(
        {
            "items-per-page": params.rows,
            "query": {"start-index": params.offset, "search-terms": params.search_terms},
            "total-results": total,
            "items": [render(x) for x in page],
        }
    )
    return ok(message_type, message)


# -- works ---------------------------------------------------------------------------------------


class WorksView(ApiView):
    @extend_schema(parameters=WORKS_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Search works")
    def get(self, request):
        return _works_list(request, works_base())


class WorkView(ApiView):
    @extend_schema(parameters=SINGLETON_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="One work")
    def get(self, request, doi: str):
        check_singleton(request.GET)
        work = work_or_404(doi)
        message = work_message(work, work_sides([work]), singleton=True)
        body = json.dumps(
            {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        last_modified = int(work.indexed_at.timestamp())
        if_none_match = request.headers.get("If-None-Match")
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if (if_none_match and etag in [t.strip() for t in if_none_match.split(",")]) or (
            not if_none_match and since is not None and since >= last_modified
        ):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "public, max-age=60"
        return response


class WorkAgencyView(ApiView):
    @extend_schema(
        parameters=SINGLETON_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Registration agency"
    )
    def get(self, request, doi: str):
        check_singleton(request.GET)
        work = work_or_404(doi)
        return ok("work-agency", {"DOI": work.doi, "agency": {"id": "crossref", "label": "Crossref"}})


def _accept_parameters(accept: str) -> dict[str, str]:
    """`text/x-bibliography; style = apa; locale = en-US` → {"style": "apa", "locale": "en-US"}."""
    found = {}
    for piece in accept.split(";")[1:]:
        name, _, value = piece.partition("=")
        if value.strip():
            found[name.strip().lower()] = value.strip().strip('"')
    return found


class WorkTransformView(ApiView):
    @extend_schema(
        parameters=[OpenApiParameter("style", str), OpenApiParameter("locale", str)],
        responses={200: OpenApiTypes.STR, 406: OpenApiTypes.STR},
        summary="The work in another format (content negotiation)",
    )
    def get(self, request, doi: str, media_type: str | None = None):
        work = work_or_404(doi)
        accept = media_type or request.headers.get("Accept", "")
        options = _accept_parameters(accept)
        style = request.GET.get("style") or options.get("style") or "apa"
        locale = request.GET.get("locale") or options.get("locale") or "en-US"
        try:
            chosen = formats.negotiate(accept)
            if chosen is None:
                csl = "application/vnd.citationstyles.csl+json"
                chosen = csl if csl in formats.MEDIA_TYPES else formats.MEDIA_TYPES[0]
            rendered = formats.render(work, chosen, style=style, locale=locale)
        except formats.UnsupportedFormat:
            return HttpResponse(
                "Acceptable types: " + ", ".join(formats.MEDIA_TYPES), content_type="text/plain", status=406
            )
        body = rendered.body
        return HttpResponse(body, content_type=rendered.content_type)


class WorkTransformTypeView(WorkTransformView):
    """`/works/{doi}/transform/{type}/{subtype}`: the media type from the path (left out of
    the schema: a path parameter holding a slash is not expressible in OpenAPI)."""

    @extend_schema(exclude=True)
    def get(self, request, doi: str, media_type: str | None = None):
        return super().get(request, doi, media_type)


class WorksLookupView(ApiView):
    @extend_schema(
        request={
            "application/json": {
                "type": "object",
                "properties": {"dois": {"type": "array", "items": {"type": "string"}}},
            }
        },
        responses={200: OpenApiTypes.OBJECT},
        summary="Many works by DOI in one call (up to 1,000)",
    )
    def post(self, request):
        data = request.data
        dois = data.get("dois") if isinstance(data, dict) else None
        if not isinstance(dois, list) or not all(isinstance(d, str) for d in dois):
            raise fail(
                "dois-not-valid", "dois", 'The body must be a JSON object {"dois": ["10.xxxx/...", ...]}'
            )
        if len(dois) > LOOKUP_MAX:
            raise fail(
                "integer-not-valid", len(dois), f"At most {LOOKUP_MAX} DOIs per lookup; {len(dois)} were sent"
            )
        wanted = [doi_from_path(d) for d in dois]
        found = {w.doi: w for w in works_base().filter(doi__in=set(wanted))}
        ordered = [found[d] for d in dict.fromkeys(wanted) if d in found]
        sides = work_sides(ordered)
        return ok(
            "work-list",
            {
                "total-results": len(ordered),
                "items": [work_message(w, sides) for w in ordered],
                "items-per-page": len(ordered),
                "not-found": [
                    d for d, original in zip(wanted, dois, strict=True) if d not in found and original
                ],
            },
        )
