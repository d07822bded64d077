"""Member, journal, funder, prefix, type and license messages (spec section 6)."""

from __future__ import annotations

import re
from typing import Any

from accounts.models import Organisation, Prefix
from linking.api.selectors import funder_work_counts, funder_works_count, member_stats, title_stats
from linking.api.types import type_label
from linking.models import Funder, Title

ID_BASE = "https://id.crossref.org"


def tokens(*names: str) -> list[str]:
    found: list[str] = []
    for name in names:
        for word in re.findall(r"\w+", name.lower()):
            if word not in found:
                found.append(word)
    return found


def member_message(organisation: Organisation) -> dict[str, Any]:
    prefixes = list(organisation.prefixes.order_by("value").values_list("value", flat=True))
    location = organisation.country.name if organisation.country else ""
    if organisation.address:
        last_line = organisation.address.strip().splitlines()[-1].strip()
        location = ", ".join(p for p in (last_line, location) if p)
    return {
        "id": organisation.member_id,
        "primary-name": organisation.name,
        "names": [organisation.name],
        "location": location,
        "prefixes": prefixes,
        "prefix": [{"value": p, "name": organisation.name} for p in prefixes],
        "tokens": tokens(organisation.name),
        **member_stats(organisation.pk),
    }


def _issn(value: str) -> str:
    return f"{value[:4]}-{value[4:]}" if len(value) == 8 else value


def journal_message(title: Title) -> dict[str, Any]:
    issns = [i for i in title.identifiers.all() if i.scheme == "issn"]
    stats = title_stats(title.pk)
    coverage_all = {"last-status-check-time": stats["last-status-check-time"]}
    by_period = {}
    for period in ("all", "current", "backfile"):
        merged: dict[str, Any] = dict(coverage_all)
        per_type = stats["coverage-type"][period]
        counts = stats["counts-type"][period]
        whole = sum(counts.values())
        for type_id, metrics in per_type.items():
            for name, value in metrics.items():
                if name != "last-status-check-time":
                    merged[name] = merged.get(name, 0.0) + value * counts[type_id] / whole
        by_period[period] = merged
    return {
        "last-status-check-time": stats["last-status-check-time"],
        "counts": stats["counts"],
        "breakdowns": stats["breakdowns"],
        "publisher": title.publisher or (title.organisation.name if title.organisation else ""),
        "coverage": stats["coverage"],
        "title": title.title,
        "subjects": [],
        "coverage-type": by_period,
        "flags": stats["flags"],
        "ISSN": [_issn(i.value) for i in issns],
        "issn-type": [{"value": _issn(i.value), "type": i.type or "print"} for i in issns],
    }


def funder_item(funder: Funder) -> dict[str, Any]:
    return {
        "id": funder.funder_id,
        "location": funder.country,
        "name": funder.name,
        "alt-names": list(funder.alt_names or []),
        "uri": funder.uri or f"https://doi.org/10.13039/{funder.funder_id}",
        "replaces": [],
        "replaced-by": [],
        "tokens": tokens(funder.name, *(funder.alt_names or [])),
    }


def funder_descendants(funder: Funder, limit: int = 10_000) -> list[Funder]:
    found, frontier = [], [funder.pk]
    while frontier and len(found) < limit:
        children = list(Funder.objects.filter(parent_id__in=frontier))
        found += children
        frontier = [c.pk for c in children]
    return found


def funder_message(funder: Funder) -> dict[str, Any]:
    descendants = funder_descendants(funder)
    counts = funder_work_counts([funder.doi] + [d.doi for d in descendants])
    children: dict[int | None, list[Funder]] = {}
    for d in descendants:
        children.setdefault(d.parent_id, []).append(d)

    def tree(node: Funder, depth: int) -> dict[str, Any]:
        below = children.get(node.pk, [])
        if depth >= 2 and below:
            return {"more": True}
        return {c.funder_id: tree(c, depth + 1) for c in below}

    return {
        **funder_item(funder),
        "work-count": counts.get(funder.doi, 0),
        "descendant-work-count": funder_works_count([funder.doi] + [d.doi for d in descendants]),
        "descendants": sorted(d.funder_id for d in descendants),
        "hierarchy": {funder.funder_id: tree(funder, 0)},
        "hierarchy-names": {f.funder_id: f.name for f in [funder, *descendants]},
    }


def prefix_message(prefix: Prefix) -> dict[str, Any]:
    organisation = prefix.organisation
    return {
        "member": f"{ID_BASE}/member/{organisation.member_id}" if organisation else "",
        "name": organisation.name if organisation else "",
        "prefix": f"{ID_BASE}/prefix/{prefix.value}",
    }


def type_message(type_id: str) -> dict[str, str]:
    return {"id": type_id, "label": type_label(type_id)}
