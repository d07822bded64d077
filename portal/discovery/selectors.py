"""Reads behind /search: the request's filters as REST API filter pairs, applied and
counted by the API's own selectors (`linking.api.filters.works_filtered`,
`linking.api.facets.works_facets`), so a page of HTML and `/works?filter=...` answer
the same question the same way."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.http import QueryDict

from accounts.models import Organisation
from linking.api.facets import works_facets
from linking.api.filters import works_filtered
from linking.api.types import type_label
from linking.models import Funder, Title, Work, WorkFunder
from linking.search import works_ids_sql, works_matching

PAGE_SIZE = 20
FACET_VALUES = 15
MATERIALISE = 20_000  # result sets up to this size are counted from their fetched ids
FACET_CACHE_SECONDS = 600
BOOLEAN_FACETS = {
    "has-references": "Has references",
    "has-abstract": "Has an abstract",
    "has-orcid": "Has ORCID iDs",
}
# HTML parameter -> what it means, in the order the facets are shown.
FACET_LABELS = {
    "type": "Type",
    "year": "Year published",
    "member": "Member",
    "container-title": "Journal",
    "funder": "Funder",
    "license.url": "Licence",
    **BOOLEAN_FACETS,
    "update-type": "Update type",
}
SORTS = {
    "relevance": None,
    "published": "issued",
    "deposited": "updated_at",
    "created": "created_at",
    "cited": "cited_by_count",
}


@dataclass
class SearchRequest:
    """What /search was asked, read from the query string."""

    text: str = ""
    chosen: dict[str, list[str]] = field(default_factory=dict)  # HTML parameter -> values
    sort: str = "relevance"
    order: str = "desc"
    page: int = 1

    @classmethod
    def from_query(cls, data: QueryDict) -> SearchRequest:
        chosen = {name: [v for v in data.getlist(name) if v.strip()][:20] for name in FACET_LABELS}
        chosen["year"] = [y for y in chosen["year"] if y.isdigit() and len(y) == 4]
        text = data.get("q", "").strip()[:1000]
        sort = data.get("sort", "")
        if sort not in SORTS:
            sort = "relevance" if text else "deposited"
        if sort == "relevance" and not text:
            sort = "deposited"
        order = "asc" if data.get("order") == "asc" else "desc"
        page = data.get("page", "1")
        return cls(
            text=text,
            chosen={k: v for k, v in chosen.items() if v},
            sort=sort,
            order=order,
            page=max(1, int(page)) if page.isdigit() else 1,
        )

    def api_filters(self) -> list[tuple[str, str]]:
        """The chosen facets as REST API `filter` pairs (same name repeated = OR)."""
        pairs: list[tuple[str, str]] = []
        for name, values in self.chosen.items():
            if name != "year":  # years are applied by works_searched (several are ORed)
                pairs += [(name, value) for value in values]
        return pairs


def works_searched(request: SearchRequest) -> QuerySet[Work]:
    """The works the request asks for, ordered. Raises the API's ValidationFailure for a
    bad filter value (the view shows its message)."""
    works = Work.objects.all()
    if request.text:
        works = works_matching(works, request.text)
    years = Q()
    for year in request.chosen.get("year", []):
        # The same whole-year range as the API's from-/until-pub-date, ORed over the years.
        years |= Q(issued__startswith=f"{year}-")
    works = works_filtered(works.filter(years), request.api_filters())
    column = SORTS[request.sort]
    if column is None:
        return works.order_by("-relevance", "pk")
    ordering = F(column).asc(nulls_last=True) if request.order == "asc" else F(column).desc(nulls_last=True)
    return works.order_by(ordering, "pk" if request.order == "asc" else "-pk")


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


def _grouped(scope: QuerySet, column, label_column=None) -> list[tuple[str, str, int]]:
    rows = scope.annotate(v=column)
    if label_column is not None:
        rows = rows.annotate(label=label_column).values("v", "label")
    else:
        rows = rows.values("v")
    rows = rows.annotate(n=Count("pk")).order_by("-n", "v")[:FACET_VALUES]
    return [(str(r["v"]), str(r.get("label", r["v"])), r["n"]) for r in rows if r["v"] not in (None, "")]


def _scope(works: QuerySet[Work], total: int) -> QuerySet[Work]:
    """The works to count facets over, as a plain queryset. Up to MATERIALISE works: their
    ids, fetched once (the search then runs once, not once per facet)."""
    if total > MATERIALISE:
        return Work.objects.filter(pk__in=works_ids_sql(works))
    ids = list(works.order_by().values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        # `= ANY(array)`, not `IN (SELECT unnest(...))`: the planner then probes the
        # primary key once per id instead of hashing a set.
        return Work.objects.extra(where=['"linking_work"."id" = ANY(%s)'], params=[ids])
    return Work.objects.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))


def works_facet_counts(works: QuerySet[Work], total: int) -> dict[str, list[FacetValue]]:
    """For each facet, its most frequent values among `works` with how many of `works`
    have each (so choosing a value shows exactly that many)."""
    scope = _scope(works, total)
    facets: dict[str, list[FacetValue]] = {}
    facets["type"] = [FacetValue(v, type_label(v), n) for v, _, n in _grouped(scope, F("type"))]
    years = _grouped(scope.exclude(issued="").exclude(issued__startswith="0000"), Substr("issued", 1, 4))
    facets["year"] = sorted((FacetValue(v, v, n) for v, _, n in years), key=lambda f: f.value, reverse=True)
    facets["member"] = [
        FacetValue(v, label, n)
        for v, label, n in _grouped(scope, F("organisation__member_id"), F("organisation__name"))
    ]
    facets["container-title"] = [
        FacetValue(v, v, n) for v, _, n in _grouped(scope.exclude(container_title=""), F("container_title"))
    ]
    funders = (
        WorkFunder.objects.filter(work_id__in=works_ids_sql(scope))
        .exclude(funder_id="")
        .values("funder_id")
        .annotate(n=Count("work_id", distinct=True))
        .order_by("-n", "funder_id")[:FACET_VALUES]
    )
    funder_counts = {r["funder_id"]: r["n"] for r in funders}
    names = _funder_names(list(funder_counts))
    facets["funder"] = [FacetValue(f, names.get(f, f), n) for f, n in funder_counts.items()]
    api = works_facets(scope, {"license": FACET_VALUES, "update-type": FACET_VALUES}, total)
    facets["license.url"] = [FacetValue(v, v, n) for v, n in api["license"]["values"].items()]
    facets["update-type"] = [
        FacetValue(v, v.replace("_", " ").capitalize(), n) for v, n in api["update-type"]["values"].items()
    ]
    for name in BOOLEAN_FACETS:
        yes = works_filtered(scope, [(name, "true")]).count()
        facets[name] = [FacetValue("true", "Yes", yes), FacetValue("false", "No", total - yes)]
    return facets


def search_facet_counts(
    request: SearchRequest, works: QuerySet[Work], total: int
) -> dict[str, list[FacetValue]]:
    """`works_facet_counts`, kept for FACET_CACHE_SECONDS when the results are many (then
    every facet is a pass over them); small result sets are always counted live."""
    if total <= MATERIALISE:
        return works_facet_counts(works, total)
    key = (
        "discovery-facets:"
        + hashlib.sha1(json.dumps([request.text, sorted(request.chosen.items()), total]).encode()).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = works_facet_counts(works, total)
        cache.set(key, found, FACET_CACHE_SECONDS)
    return found


def _funder_names(funder_ids: list[str]) -> dict[str, str]:
    """Registry names for stored funder ids (DOI or ROR), else a name as deposited."""
    names = {}
    for funder_id in funder_ids:  # one indexed look-up each: a funder may name 100,000s of works
        name = WorkFunder.objects.filter(funder_id=funder_id).exclude(name="").values_list("name", flat=True)
        names[funder_id] = name.first() or funder_id
    registry_ids = {f.removeprefix("10.13039/"): f for f in funder_ids if f.startswith("10.13039/")}
    for funder_id, name in Funder.objects.filter(funder_id__in=registry_ids).values_list("funder_id", "name"):
        names[registry_ids[funder_id]] = name
    for ror, name in Funder.objects.filter(ror__in=funder_ids).exclude(ror="").values_list("ror", "name"):
        names[ror] = name
    return names


@dataclass
class NameHits:
    members: list[Organisation]
    journals: list[Title]
    funders: list[Funder]


def names_matching(text: str, *, limit: int = 5) -> NameHits:
    """Members, journals and funders whose name contains `text` (trigram-indexed on PostgreSQL)."""
    text = text.strip()
    if len(text) < 2:
        return NameHits([], [], [])
    members = list(
        Organisation.objects.filter(name__icontains=text, member_id__isnull=False).order_by("name")[:limit]
    )
    journals = list(Title.objects.filter(title__icontains=text, kind="journal").order_by("title")[:limit])
    funders = list(
        Funder.objects.filter(Q(name__icontains=text) | Q(alt_names__icontains=text)).order_by("name")[:limit]
    )
    return NameHits(members, journals, funders)
