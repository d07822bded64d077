"""Reads behind the REST API: the side data a page of works needs, and the counts,
breakdowns and coverage of members and journals (aggregate queries, cached briefly)."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from linking.api import jsonsql
from linking.api.jsonsql import Cond
from linking.api.render import WorkSides
from linking.crossmark import updated_by_map
from linking.models import Work

STATS_SECONDS = 600

COVERAGE_METRICS = (
    "affiliations",
    "abstracts",
    "orcids",
    "licenses",
    "references",
    "funders",
    "similarity-checking",
    "award-numbers",
    "ror-ids",
    "update-policies",
    "resource-links",
    "descriptions",
)


def works_base() -> QuerySet[Work]:
    return Work.objects.select_related("organisation")


def work_sides(works: Sequence[Work]) -> WorkSides:
    """What other records say about a page of works, in one round trip: relations naming
    them, matched reference DOIs, and whether any update (a publisher's notice or a
    third-party entry) names them; full `updated-by` entries are then fetched only for
    the few works that have one."""
    sides = WorkSides()
    if not works:
        return sides
    dois = [w.doi for w in works]
    marks = ", ".join(["%s"] * len(dois))
    with_refs = [w.pk for w in works if (w.data or {}).get("references")] or [0]
    ref_marks = ", ".join(["%s"] * len(with_refs))
    query = (
        'SELECT r."kind", r."type", r."target", w."doi" FROM "linking_workrelation" r '
        f'JOIN "linking_work" w ON w."id" = r."work_id" WHERE r."target" IN ({marks}) '
        "UNION ALL SELECT 'external', '', e.\"target\", '' FROM \"linking_externalupdate\" e "
        f'WHERE e."target" IN ({marks}) '
        'UNION ALL SELECT \'ref\', f."key", CAST(f."work_id" AS TEXT), f."matched_doi" '
        f'FROM "linking_workreference" f WHERE f."work_id" IN ({ref_marks}) '
        "AND f.\"match_status\" = 'matched'"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*dois, *dois, *with_refs])
        rows = cursor.fetchall()
    updated = set()
    for kind, rel_type, target, source_doi in rows:
        if kind == "ref":
            sides.matched.setdefault(int(target), {})[rel_type] = source_doi
        elif kind == "relation":
            sides.related.setdefault(target, []).append({"type": rel_type, "doi": source_doi})
        else:
            updated.add(target)
    if updated:
        sides.updated_by = updated_by_map(sorted(updated))
    return sides


def current_from() -> str:
    """Works issued from this day on count as 'current' (this year and the two before)."""
    return f"{datetime.now(UTC).year - 2:04d}-00-00"


def _metric_sql() -> dict[str, tuple[str, list]]:
    affiliations = [("contributors",), ("affiliations",)]
    return {
        "affiliations": jsonsql.exists_sql(affiliations, [[Cond(("name",), "nonempty")]]),
        "abstracts": (f"COALESCE({jsonsql.text_at(jsonsql.WORK_DATA, ('abstract',))}, '') <> ''", []),
        "orcids": jsonsql.exists_sql([("contributors",)], [[Cond(("orcid",), "nonempty")]]),
        "licenses": jsonsql.exists_sql([("licenses",)], []),
        "references": jsonsql.exists_sql([("references",)], []),
        "funders": jsonsql.exists_sql([("funding",)], []),
        "similarity-checking": jsonsql.exists_sql(
            [("links",)], [[Cond(("intended_application",), "eq", "similarity-checking")]]
        ),
        "award-numbers": jsonsql.exists_sql([("funding",), ("awards",)], []),
        "ror-ids": jsonsql.exists_sql([*affiliations, ("ids",)], [[Cond(("id-type",), "ieq", "ROR")]]),
        "update-policies": (
            f"COALESCE({jsonsql.text_at(jsonsql.WORK_DATA, ('crossmark', 'policy'))}, '') <> ''",
            [],
        ),
        "resource-links": jsonsql.exists_sql([("links",)], []),
        "descriptions": (
            f"COALESCE({jsonsql.text_at(jsonsql.WORK_DATA, ('extra', 'description'))}, '') <> ''",
            [],
        ),
    }


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def works_stats(where: str, params: list, *, key: str) -> dict[str, Any]:
    """counts, counts-type, breakdowns, coverage, coverage-type and flags of the works
    matching `where` (SQL on linking_work), cached under `key` for a few minutes."""
    cache_key = "api-stats:" + hashlib.sha1(key.encode()).hexdigest()
    if (found := cache.get(cache_key)) is not None:
        return found
    metrics = _metric_sql()
    sums, sum_params = [], []
    for sql, p in metrics.values():
        sums.append(f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END)")
        sum_params += p
    boundary = current_from()
    query = (
        f'SELECT "linking_work"."type", CASE WHEN "linking_work"."issued" >= %s THEN 1 ELSE 0 END, COUNT(*), '
        f'{", ".join(sums)} FROM "linking_work" WHERE {where} GROUP BY 1, 2'
    )
    by_type: dict[str, dict[str, list[int]]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(query, [boundary, *sum_params, *params])
        for type_id, is_current, count, *found_metrics in cursor.fetchall():
            period = "current" if is_current else "backfile"
            by_type[type_id][period] = [int(count), *[int(x or 0) for x in found_metrics]]
        cursor.execute(
            f'SELECT substr("linking_work"."issued", 1, 4), COUNT(*) FROM "linking_work" WHERE {where} '
            "GROUP BY 1 ORDER BY 2 DESC",
            params,
        )
        years = [[int(y), int(c)] for y, c in cursor.fetchall() if y and y.isdigit() and int(y) > 0]
    now_ms = int(time.time() * 1000)
    width = 1 + len(COVERAGE_METRICS)

    def total(periods: Sequence[str], type_id: str | None = None) -> list[int]:
        out = [0] * width
        for t, found in by_type.items():
            if type_id is None or t == type_id:
                for period in periods:
                    for i, value in enumerate(found.get(period, [0] * width)):
                        out[i] += value
        return out

    current, backfile, everything = total(["current"]), total(["backfile"]), total(["current", "backfile"])
    coverage = {}
    for i, metric in enumerate(COVERAGE_METRICS, start=1):
        coverage[f"{metric}-current"] = _ratio(current[i], current[0])
        coverage[f"{metric}-backfile"] = _ratio(backfile[i], backfile[0])
    periods = {"all": ["current", "backfile"], "current": ["current"], "backfile": ["backfile"]}
    coverage_type: dict[str, dict[str, Any]] = {}
    counts_type: dict[str, dict[str, int]] = {}
    for name, chosen in periods.items():
        coverage_type[name], counts_type[name] = {}, {}
        for type_id in by_type:
            found = total(chosen, type_id)
            if found[0]:
                counts_type[name][type_id] = found[0]
                coverage_type[name][type_id] = {
                    "last-status-check-time": now_ms,
                    **{m: _ratio(found[i], found[0]) for i, m in enumerate(COVERAGE_METRICS, start=1)},
                }
    flags = {"deposits": everything[0] > 0, "deposits-articles": "journal-article" in by_type}
    for i, metric in enumerate(COVERAGE_METRICS, start=1):
        flags[f"deposits-{metric}-current"] = current[i] > 0
        flags[f"deposits-{metric}-backfile"] = backfile[i] > 0
    stats = {
        "counts": {"current-dois": current[0], "backfile-dois": backfile[0], "total-dois": everything[0]},
        "counts-type": counts_type,
        "breakdowns": {"dois-by-issued-year": years},
        "coverage": coverage,
        "coverage-type": coverage_type,
        "flags": flags,
        "last-status-check-time": now_ms,
    }
    cache.set(cache_key, stats, STATS_SECONDS)
    return stats


def member_stats(organisation_id: int) -> dict[str, Any]:
    return works_stats(
        '"linking_work"."organisation_id" = %s', [organisation_id], key=f"member:{organisation_id}"
    )


def title_stats(title_id: int) -> dict[str, Any]:
    return works_stats('"linking_work"."container_id" = %s', [title_id], key=f"title:{title_id}")


def funder_work_counts(funder_dois: Sequence[str]) -> dict[str, int]:
    from django.db.models import Count

    from linking.models import WorkFunder

    rows = (
        WorkFunder.objects.filter(funder_id__in=[d.lower() for d in funder_dois])
        .values("funder_id")
        .annotate(n=Count("work_id", distinct=True))
    )
    return {row["funder_id"]: row["n"] for row in rows}


def funder_works_count(funder_dois: Sequence[str]) -> int:
    """Works funded by any of these funders, each counted once."""
    from linking.models import WorkFunder

    return (
        WorkFunder.objects.filter(funder_id__in=[d.lower() for d in funder_dois])
        .values("work_id")
        .distinct()
        .count()
    )
