"""Bulk loading of existing records (REST API JSON, Public Data File, unixref/unixsd, OAI-PMH)
through the same registration service as deposits (`linking.services.records_register`).

Two passes over the files:

1. **Survey.** Read every item's envelope (member id, owner prefix, DOI prefix,
   publisher) without converting it, and decide who owns what, once, for the whole import:
   an organisation per member id (named after its publisher), each prefix to the member
   that names it as owner prefix (or, failing that, whose DOIs use it). Items without a
   member id (unixref) belong to the owner of their owner prefix (or DOI prefix); when no
   item and no existing prefix says who that is, one stand-in organisation per publisher
   name is created with the next free member id. Deciding this before registering anything
   makes the result independent of the order of the files, and keeps stand-in member ids
   clear of the real ones the import names.
2. **Registration.** Convert each item, group the records by owner, and register batches
   with `records_register(..., source="import")`. A DOI met again later in the import
   replaces the earlier copy (the earlier batch is registered first, so the later copy
   is an update); the counts say how many updates replaced such a copy.

Every record read is counted as registered (new or updated) or refused with a code and
where it was; a file that cannot be read at all is reported as such. Existing
organisations and prefixes are never changed: the registry's own facts win over the
files'.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import OrganisationStatus
from deposits.imports.base import (
    FileUnreadable,
    ItemRefused,
    Refusal,
    SourceItem,
    open_source,
)
from deposits.imports.report import FileReport, ImportReport
from deposits.imports.rest_json import items_from_json
from deposits.imports.survey import _apply, _Claims, _Plan, _plan
from deposits.imports.unixref import ContentConverter, items_from_xml
from linking.models import Work
from linking.records import WorkRecord
from linking.services import records_register

BATCH_SIZE = 500
# Column limits of the registry that records_register does not cut to size itself
# (SQLite ignores them; PostgreSQL refuses the whole batch), checked per record first.
IDENTIFIER_MAX = 20


# -- reading files ------------------------------------------------------------------------------


def import_files_expand(*, paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the files inside folders named (recursively, in name order, hidden
    ones left out). Paths that do not exist are kept, so they are reported as unreadable."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


@dataclass
class _Source:
    path: Path
    report: FileReport


def _items(path: Path, report: FileReport, converter: ContentConverter | None) -> Iterator[SourceItem]:
    """The items of one file; FileUnreadable (raised before or during iteration) when the file
    cannot be read."""
    try:
        with open_source(path) as (kind, handle):
            if kind == "json":
                report.layout, items = items_from_json(handle)
            else:
                report.layout, items = items_from_xml(handle.read(), converter=converter)
            yield from items
    except (OSError, EOFError, ValueError) as exc:  # a truncated gzip, a decoding error
        raise FileUnreadable(f"stopped reading: {exc}") from exc


# -- registration ------------------------------------------------------------------------------------


def _check_fits(record: WorkRecord) -> None:
    """Refuse values the registry's columns cannot hold (records_register cuts the others)."""
    problems = []
    if len(record.type) > 40 or len(record.subtype) > 40:
        problems.append(f"type '{record.type[:50]}' / subtype '{record.subtype[:50]}' (40 characters)")
    container = record.container
    if container is not None:
        for entry in [*container.issns, *container.isbns]:
            value = entry.get("value", "").replace("-", "").replace(" ", "")
            if len(value) > IDENTIFIER_MAX:
                problems.append(f"ISSN/ISBN '{entry.get('value', '')[:40]}' ({IDENTIFIER_MAX} characters)")
        if len(container.publisher) > 500 or len(container.kind) > 32:
            problems.append("container publisher (500 characters)")
    for url in record.resource_urls:
        if len(url.label) > 200:
            problems.append(f"resource label '{url.label[:40]}' (200 characters)")
    for relation in record.relations:
        if len(relation.type) > 64 or len(relation.id_type) > 16 or len(relation.id) > 2048:
            problems.append(f"relation {relation.type[:40]} {relation.id[:40]} (64/16/2048 characters)")
    for update in record.updates:
        if len(update.type) > 64 or len(update.doi) > 2048:
            problems.append(f"update {update.type[:40]} (64 characters)")
    for funding in record.funding:
        if len(funding.funder_id) > 200:
            problems.append(f"funder id '{funding.funder_id[:40]}' (200 characters)")
    for reference in record.references:
        if len(reference.doi) > 2048:
            problems.append(f"reference {reference.key[:40]} DOI (2048 characters)")
    if problems:
        raise ItemRefused(Refusal.VALUE_TOO_LONG, f"{record.doi}: " + "; ".join(problems[:3]))


@dataclass
class _Pending:
    record: WorkRecord
    report: FileReport
    position: str


class _Registrar:
    """Batches records per owner and registers them, counting into each record's file report."""

    def __init__(self, *, plan: _Plan, dry_run: bool, batch_size: int, started):
        self.plan = plan
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.started = started
        self.pending: dict[int, list[_Pending]] = defaultdict(list)
        self.pending_dois: dict[str, int] = {}
        self.seen: set[str] = set()  # dry runs only: DOIs read so far

    def add(self, record: WorkRecord, report: FileReport, position: str) -> None:
        owner = self.plan.owner_of(record)
        if owner is None:
            raise ItemRefused(
                Refusal.NO_OWNER, f"{record.doi}: no member id, and prefix {record.prefix} unknown"
            )
        organisation = self.plan.organisations.get(owner)
        if organisation is None and not self.dry_run:
            raise ItemRefused(Refusal.NO_OWNER, f"{record.doi}: member {owner} was not created")
        if organisation is not None and organisation.status != OrganisationStatus.ACTIVE:
            raise ItemRefused(
                Refusal.OWNER_NOT_ACTIVE,
                f"{record.doi}: {organisation} is {organisation.get_status_display()}",
            )
        if record.doi in self.pending_dois:  # the earlier copy goes in first; this one replaces it
            self.flush(self.pending_dois[record.doi])
        self.pending[owner].append(_Pending(record, report, position))
        self.pending_dois[record.doi] = owner
        if len(self.pending[owner]) >= self.batch_size:
            self.flush(owner)

    def flush_all(self) -> None:
        for owner in list(self.pending):
            self.flush(owner)

    def flush(self, owner: int) -> None:
        batch = self.pending.pop(owner, [])
        for entry in batch:
            self.pending_dois.pop(entry.record.doi, None)
        if not batch:
            return
        before = dict(
            Work.objects.filter(doi__in=[e.record.doi for e in batch]).values_list("doi", "updated_at")
        )
        if self.dry_run:
            for entry in batch:
                earlier = entry.record.doi in self.seen
                self._count(entry, exists=earlier or entry.record.doi in before, earlier=earlier)
                self.seen.add(entry.record.doi)
            return
        organisation = self.plan.organisations[owner]
        try:
            records_register(records=[e.record for e in batch], organisation=organisation, source="import")
        except DatabaseError:
            # One record the database will not take spoils the batch: find it, keep the others.
            for entry in batch:
                try:
                    with transaction.atomic():
                        records_register(records=[entry.record], organisation=organisation, source="import")
                except DatabaseError as exc:
                    entry.report.refuse(
                        ItemRefused(Refusal.REGISTRY_ERROR, f"{entry.record.doi}: {str(exc).strip()[:200]}"),
                        entry.position,
                    )
                    continue
                self._count(entry, before)
            return
        for entry in batch:
            self._count(entry, before)

    def _count(self, entry: _Pending, before: dict | None = None, *, exists=None, earlier=None) -> None:
        doi = entry.record.doi
        if exists is None:
            exists = doi in before
            earlier = exists and before[doi] >= self.started
        report = entry.report
        if exists:
            report.updated += 1
            report.replaced_earlier += int(bool(earlier))
        else:
            report.new += 1
        if not entry.record.resource_urls:
            report.without_resource_url += 1


def works_import(
    *,
    paths: Sequence[str | Path],
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    converter: ContentConverter | None = None,
) -> ImportReport:
    """Import the works in `paths` (files; see import_files_expand for folders) into the
    registry, creating the organisations and prefixes they name. `dry_run` reads, converts
    and counts everything, and writes nothing. `converter` replaces the deposit parser's
    content conversion for XML (for tests)."""
    clock = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    sources = [_Source(Path(p), FileReport(path=str(p))) for p in paths]
    claims = _Claims()
    for source in sources:
        try:
            for item in _items(source.path, source.report, converter):
                claims.add(item)
        except FileUnreadable as exc:
            source.report.error = str(exc)
    readable = [s for s in sources if not s.report.error]
    plan = _plan(claims, report)
    _apply(plan, report, dry_run=dry_run)
    registrar = _Registrar(plan=plan, dry_run=dry_run, batch_size=batch_size, started=timezone.now())
    for source in readable:
        try:
            for item in _items(source.path, source.report, converter):
                source.report.read += 1
                try:
                    record = item.record()
                    _check_fits(record)
                    registrar.add(record, source.report, item.position)
                except ItemRefused as refusal:
                    source.report.refuse(refusal, item.position)
        except FileUnreadable as exc:
            source.report.error = str(exc)
    registrar.flush_all()
    report.files = [s.report for s in sources]
    report.seconds = time.monotonic() - clock
    return report
