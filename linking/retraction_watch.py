"""Retraction Watch entries as third-party `updated-by` assertions (`ExternalUpdate`,
source `retraction-watch`, keyed by the entry's Record ID).

The public CSV (Crossref's retraction-watch-data repository) has one row per notice:
Record ID, Title, Subject, Institution, Journal, Publisher, Country, Author, URLS,
ArticleType, RetractionDate, RetractionDOI, RetractionPubMedID, OriginalPaperDate,
OriginalPaperDOI, OriginalPaperPubMedID, RetractionNature, Reason, Paywalled, Notes.
Dates are written `M/D/YYYY H:MM`; a missing DOI is written `unavailable`.

A file is the whole database at one moment, so an import makes the stored entries equal
to it: new Record IDs are added, changed ones updated, and entries no longer in the file
are removed (Retraction Watch withdrew them; showing them would assert a retraction
nobody asserts any more). As a guard against a truncated download, removal is skipped
(and said so) when the file holds fewer than half the stored entries, unless `prune` is
forced."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from linking.models import ExternalUpdate

SOURCE = "retraction-watch"
REQUIRED = ("Record ID", "OriginalPaperDOI", "RetractionNature")
NATURES = {
    "retraction": "retraction",
    "correction": "correction",
    "expression of concern": "expression_of_concern",
    "reinstatement": "reinstatement",
}
KEPT = (
    "Title",
    "Journal",
    "Publisher",
    "ArticleType",
    "OriginalPaperDate",
    "RetractionPubMedID",
    "OriginalPaperPubMedID",
    "Paywalled",
    "Notes",
    "RetractionNature",
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")


class RetractionWatchFileError(ValueError):
    """The file is not a Retraction Watch CSV; the message says what is missing."""


@dataclass
class RetractionWatchImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.skipped)} rows skipped"
        )


def _doi(value: str) -> str:
    found = _DOI.search((value or "").strip())
    return found.group(0).rstrip(".").lower() if found else ""


def _date(value: str) -> str:
    value = (value or "").strip()
    for layout in ("%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, layout).date().isoformat()
        except ValueError:
            continue
    return ""


def _reasons(value: str) -> list[str]:
    return [r.strip().lstrip("+").strip() for r in (value or "").split(";") if r.strip().lstrip("+").strip()]


def rows_from_csv(content: bytes) -> Iterable[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")  # older exports were not UTF-8
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RetractionWatchFileError(
            f"Not a Retraction Watch CSV: the header lacks {', '.join(missing)} "
            f"(found: {', '.join(header[:25]) or 'nothing'})."
        )
    for row in reader:
        yield {(k or "").strip(): (v or "") for k, v in row.items()}


def _entry(row: dict[str, str]) -> tuple[dict, str]:
    """The ExternalUpdate values of a row, or ({}, why it was skipped)."""
    record_id = row.get("Record ID", "").strip()
    if not record_id:
        return {}, "no Record ID"
    target = _doi(row.get("OriginalPaperDOI", ""))
    if not target:
        return {}, f"Record ID {record_id}: no DOI of the original paper"
    nature = row.get("RetractionNature", "").strip()
    update_type = (
        NATURES.get(nature.lower()) or re.sub(r"\W+", "_", nature.lower()).strip("_") or "retraction"
    )
    data = {k: row[k].strip() for k in KEPT if row.get(k, "").strip()}
    if row.get("Reason"):
        data["Reason"] = _reasons(row["Reason"])
    urls = [u.strip() for u in re.split(r"[;\s]+", row.get("URLS", "")) if u.strip()]
    if urls:
        data["URLS"] = urls
    return {
        "record_id": record_id[:64],
        "target": target[:2048],
        "notice_doi": _doi(row.get("RetractionDOI", ""))[:2048],
        "type": update_type[:64],
        "date": _date(row.get("RetractionDate", "")),
        "data": data,
    }, ""


@transaction.atomic
def retraction_watch_import(
    *, rows: Iterable[dict[str, str]], prune: bool | None = None
) -> RetractionWatchImport:
    """Make the stored Retraction Watch entries equal to `rows` (a whole file).
    `prune`: None removes missing entries unless the file looks truncated; True always;
    False never."""
    result = RetractionWatchImport()
    wanted: dict[str, dict] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        values, why = _entry(row)
        if not values:
            result.skipped.append(f"line {number}: {why}")
            continue
        wanted[values["record_id"]] = values
    stored = {u.record_id: u for u in ExternalUpdate.objects.filter(source=SOURCE)}
    fields = ("target", "notice_doi", "type", "date", "data")
    to_create, to_update = [], []
    for record_id, values in wanted.items():
        update = stored.get(record_id)
        if update is None:
            to_create.append(ExternalUpdate(source=SOURCE, **values))
        elif any(getattr(update, f) != values[f] for f in fields):
            for f in fields:
                setattr(update, f, values[f])
            update.updated_at = timezone.now()  # bulk_update skips auto_now
            to_update.append(update)
        else:
            result.unchanged += 1
    ExternalUpdate.objects.bulk_create(to_create, batch_size=1000)
    ExternalUpdate.objects.bulk_update(to_update, [*fields, "updated_at"], batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    gone = [u.pk for record_id, u in stored.items() if record_id not in wanted]
    truncated = len(wanted) < len(stored) / 2
    if gone and (prune or (prune is None and not truncated)):
        result.removed, _ = ExternalUpdate.objects.filter(pk__in=gone).delete()
    elif gone:
        why = (
            "removal was turned off"
            if prune is False
            else f"the file holds {len(wanted)} entries against {len(stored)} stored, so it looks truncated "
            "(use --prune to remove them anyway)"
        )
        result.notes.append(f"{len(gone)} stored entries are not in this file but were kept: {why}.")
    return result
