"""Crossmark updates in both directions.

A notice (a correction, retraction, ...) deposits `update-to` naming the work it updates;
the registry keeps that as a `WorkRelation(kind="update")` on the notice with the original's
DOI lower-cased in `target`. The original's `updated-by` is therefore a reverse lookup on
`target`, which works whichever of the two was deposited first. Third parties' assertions
(Retraction Watch) come from `ExternalUpdate` rows and carry their own `source`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from linking.models import ExternalUpdate, Work, WorkRelation

UPDATE_LABELS = {
    "addendum": "Addendum",
    "clarification": "Clarification",
    "correction": "Correction",
    "corrigendum": "Corrigendum",
    "erratum": "Erratum",
    "expression_of_concern": "Expression of concern",
    "new_edition": "New edition",
    "new_version": "New version",
    "partial_retraction": "Partial retraction",
    "removal": "Removal",
    "retraction": "Retraction",
    "withdrawal": "Withdrawal",
}

# What the landing-page banner says of the original, most severe first.
STATUS_BY_TYPE = {
    "retraction": ("retracted", "This work has been retracted"),
    "withdrawal": ("withdrawn", "This work has been withdrawn"),
    "removal": ("removed", "This work has been removed"),
    "partial_retraction": ("partially-retracted", "This work has been partially retracted"),
    "expression_of_concern": ("concern", "An expression of concern has been published about this work"),
    "correction": ("corrected", "This work has been corrected"),
    "corrigendum": ("corrected", "This work has been corrected"),
    "erratum": ("corrected", "An erratum has been published for this work"),
    "addendum": ("updated", "An addendum has been published for this work"),
    "clarification": ("updated", "A clarification has been published for this work"),
    "new_version": ("new-version", "A newer version of this work exists"),
    "new_edition": ("new-version", "A new edition of this work exists"),
}
SEVERITY = list(STATUS_BY_TYPE)


def update_label(update_type: str) -> str:
    return UPDATE_LABELS.get(update_type, update_type.replace("_", " ").capitalize())


def _parts(value: Any) -> list[int]:
    """Date parts from a stored list `[y, m, d]` or a 'YYYY-MM-DD' string (00 = unknown)."""
    if isinstance(value, str):
        value = [int(p) for p in value.split("-") if p.isdigit() and int(p)]
    return [int(p) for p in (value or []) if p]


def stamp(parts: list[int]) -> dict[str, Any] | None:
    """A REST API date stamp (`date-parts`, `date-time`, `timestamp` in ms); unknown month
    or day count as the first."""
    if not parts:
        return None
    year, month, day = (parts + [1, 1])[:3]
    try:
        moment = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return {"date-parts": [parts]}
    return {
        "date-parts": [parts],
        "date-time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timestamp": int(moment.timestamp() * 1000),
    }


def _entry(doi: str, update_type: str, label: str, source: str, parts: list[int]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "DOI": doi,
        "type": update_type,
        "label": label or update_label(update_type),
        "source": source,
    }
    updated = stamp(parts)
    if updated:
        entry["updated"] = updated
    return entry


def updated_by_map(dois: list[str]) -> dict[str, list[dict]]:
    """`updated-by` for each of these DOIs (lower-cased keys; DOIs nobody updates are left
    out): the publishers' notices that name them, then third-party entries; oldest first."""
    wanted = {d.strip().lower() for d in dois}
    found: dict[str, list[tuple[str, dict]]] = {}
    relations = (
        WorkRelation.objects.filter(kind="update", target__in=wanted)
        .values_list("target", "type", "data", "work__doi", "work__issued")
        .order_by("work__doi", "type")
    )
    for target, update_type, data, notice_doi, notice_issued in relations:
        parts = _parts((data or {}).get("date")) or _parts(notice_issued)
        entry = _entry(notice_doi, update_type, (data or {}).get("label", ""), "publisher", parts)
        found.setdefault(target, []).append((_sort_key(parts), entry))
    external = ExternalUpdate.objects.filter(target__in=wanted).order_by("record_id")
    for update in external:
        parts = _parts(update.date)
        entry = _entry(update.notice_doi.lower(), update.type, "", update.source, parts)
        entry["record-id"] = int(update.record_id) if update.record_id.isdigit() else update.record_id
        found.setdefault(update.target, []).append((_sort_key(parts), entry))
    return {doi: [e for _, e in sorted(entries, key=lambda p: p[0])] for doi, entries in found.items()}


def _sort_key(parts: list[int]) -> tuple[int, int, int]:
    year, month, day = (parts + [0, 0, 0])[:3]
    return (year, month, day)


def update_to(work: Work) -> list[dict[str, Any]]:
    """`update-to` of a notice: the updates its own record declares."""
    entries = []
    for update in (work.data or {}).get("updates", []):
        date = update.get("date") or {}
        parts = [p for p in (date.get("year"), date.get("month"), date.get("day")) if p]
        entries.append(
            _entry(update["doi"].lower(), update["type"], update.get("label", ""), "publisher", parts)
        )
    return entries


def update_to_map(dois: Iterable[str]) -> dict[str, list[dict]]:
    """`update-to` for each of these DOIs that is a notice (from the stored relations)."""
    found: dict[str, list[dict]] = {}
    rows = (
        WorkRelation.objects.filter(kind="update", work__doi__in={d.strip().lower() for d in dois})
        .values_list("work__doi", "target", "type", "data")
        .order_by("pk")
    )
    for doi, target, update_type, data in rows:
        parts = _parts((data or {}).get("date"))
        found.setdefault(doi, []).append(
            _entry(target, update_type, (data or {}).get("label", ""), "publisher", parts)
        )
    return found


@dataclass(frozen=True)
class CrossmarkStatus:
    """What the landing page banner shows: the most severe update and all of them."""

    state: str  # retracted, withdrawn, corrected, new-version, ... (see STATUS_BY_TYPE)
    message: str
    notice_doi: str
    update_type: str
    label: str
    source: str
    date: str
    updates: list[dict]


def crossmark_status(work: Work) -> CrossmarkStatus | None:
    """The banner for `work`, or None when nothing updates it."""
    updates = updated_by_map([work.doi]).get(work.doi, [])
    known = [u for u in updates if u["type"] in STATUS_BY_TYPE]
    if not known:
        if not updates:
            return None
        top = updates[-1]
        state, message = "updated", f"This work has an update: {top['label']}"
    else:
        top = min(known, key=lambda u: (SEVERITY.index(u["type"]), -len(updates)))
        state, message = STATUS_BY_TYPE[top["type"]]
    parts = top.get("updated", {}).get("date-parts", [[]])[0]
    return CrossmarkStatus(
        state=state,
        message=message,
        notice_doi=top["DOI"],
        update_type=top["type"],
        label=top["label"],
        source=top["source"],
        date="-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)),
        updates=updates,
    )
