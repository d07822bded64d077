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
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.errors import AccountsError
from accounts.models import Organisation, OrganisationStatus, Prefix
from accounts.services import organisation_create, prefix_assign
from deposits.imports.base import (
    REFUSAL_TITLES,
    FileUnreadable,
    ItemRefused,
    Refusal,
    SourceItem,
    check_doi,
    doi_prefix,
    open_source,
)
from deposits.imports.rest_json import items_from_json
from deposits.imports.unixref import ContentConverter, items_from_xml
from linking.models import Work
from linking.records import WorkRecord
from linking.services import records_register

BATCH_SIZE = 500
EXAMPLES_KEPT = 20
PARTIAL_POLICY = (
    "Partial records (no 'type': the output of select= queries) are refused, not imported as type "
    "'other': a partial copy would replace the whole record of a DOI that is already registered."
)
# Column limits of the registry that records_register does not cut to size itself
# (SQLite ignores them; PostgreSQL refuses the whole batch), checked per record first.
IDENTIFIER_MAX = 20
COUNT_KEYS = (
    "read",
    "registered",
    "new",
    "updated",
    "replaced_earlier",
    "refused_total",
    "without_resource_url",
)


# -- the report ------------------------------------------------------------------------------


@dataclass
class FileReport:
    path: str
    layout: str = ""
    read: int = 0
    new: int = 0
    updated: int = 0
    replaced_earlier: int = 0  # of `updated`: the DOI was read earlier in this import
    refused: dict[str, int] = field(default_factory=dict)
    refused_examples: dict[str, list[str]] = field(default_factory=dict)
    without_resource_url: int = 0
    error: str = ""

    @property
    def registered(self) -> int:
        return self.new + self.updated

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    def counts(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in COUNT_KEYS}

    def refuse(self, refusal: ItemRefused, position: str) -> None:
        code = str(refusal.code)
        self.refused[code] = self.refused.get(code, 0) + 1
        examples = self.refused_examples.setdefault(code, [])
        if len(examples) < EXAMPLES_KEPT:
            detail = refusal.detail or position
            examples.append(detail if position in detail else f"{position}: {detail}")

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "layout": self.layout,
            **self.counts(),
            "refused": {
                code: {
                    "count": n,
                    "reason": REFUSAL_TITLES[Refusal(code)],
                    "examples": self.refused_examples[code],
                }
                for code, n in self.refused.items()
            },
            "error": self.error,
        }


@dataclass
class OrganisationMade:
    member_id: int
    name: str
    stand_in: bool = False
    prefixes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool = False
    files: list[FileReport] = field(default_factory=list)
    organisations: list[OrganisationMade] = field(default_factory=list)
    prefixes: dict[str, int] = field(default_factory=dict)  # created: prefix → member id
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    def totals(self) -> dict[str, int]:
        return {key: sum(f.counts()[key] for f in self.files) for key in COUNT_KEYS}

    def to_json(self) -> dict[str, Any]:
        refused: Counter[str] = Counter()
        for report in self.files:
            refused.update(report.refused)
        return {
            "dry_run": self.dry_run,
            "partial_records": "refused",
            "files": [f.to_json() for f in self.files],
            "totals": {**self.totals(), "refused": dict(refused), "files_unreadable": len(self.failed_files)},
            "organisations_created": [o.__dict__ for o in self.organisations],
            "prefixes_created": self.prefixes,
            "notes": self.notes,
            "seconds": round(self.seconds, 2),
        }

    def render(self) -> str:
        """The summary for people: per file, then totals, organisations and prefixes."""
        would = "would be " if self.dry_run else ""
        lines = []
        if self.dry_run:
            lines.append("DRY RUN: files read and checked; nothing was written.")
        lines.append(PARTIAL_POLICY)
        for report in self.files:
            lines.append("")
            lines.append(f"{report.path}  [{report.layout or 'unread'}]")
            if report.error:
                lines.append(f"  NOT READ: {report.error}")
                if not report.read:
                    continue
            lines.append("  " + _counts_line(report.counts(), would))
            for code, count in sorted(report.refused.items(), key=lambda kv: -kv[1]):
                lines.append(f"  refused {count} × {code}: {REFUSAL_TITLES[Refusal(code)]}")
                examples = report.refused_examples[code]
                for example in examples[:5]:
                    lines.append(f"      {example}")
                if count > 5:
                    lines.append(f"      ... and {count - 5} more")
            if report.without_resource_url:
                lines.append(
                    f"  {report.without_resource_url} {would}registered without a resource URL "
                    "(the source has no 'resource'): they do not resolve until one is deposited"
                )
        totals = self.totals()
        lines.append("")
        lines.append(f"Total over {len(self.files)} files: " + _counts_line(totals, would))
        if self.failed_files:
            lines.append(f"{len(self.failed_files)} file(s) could not be read (see NOT READ above).")
        members = [o for o in self.organisations if not o.stand_in]
        stand_ins = [o for o in self.organisations if o.stand_in]
        lines.append(f"Organisations {would}created for member ids: {len(members)}")
        if stand_ins:
            lines.append(
                f"Organisations {would}created for records without a member id whose prefix has no "
                f"known owner: {len(stand_ins)}, named after the publisher, with new member ids:"
            )
            for made in stand_ins:
                lines.append(f"  member {made.member_id} '{made.name}' for {', '.join(made.prefixes)}")
        lines.append(f"Prefixes {would}created: {len(self.prefixes)}")
        for note in self.notes:
            lines.append(f"Note: {note}")
        lines.append(f"Took {self.seconds:.1f} s.")
        return "\n".join(lines)


def _counts_line(counts: dict[str, Any], would: str) -> str:
    line = (
        f"read {counts['read']}, {would}registered {counts['registered']} "
        f"(new {counts['new']}, updated {counts['updated']}"
    )
    if counts["replaced_earlier"]:
        line += f", of which {counts['replaced_earlier']} replaced a copy read earlier in this import"
    return line + f"), refused {counts['refused_total']}"


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


# -- who owns what ---------------------------------------------------------------------------------


@dataclass
class _Claims:
    """What the files say about ownership, collected by the survey."""

    member_names: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    owner_prefix_members: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    doi_prefix_members: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    # Items without a member id: their owner prefix → publisher names, and DOI prefix → owner prefix.
    memberless: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    memberless_doi_prefixes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, item: SourceItem) -> None:
        if item.refused is not None:
            return
        try:
            prefix = doi_prefix(check_doi(item.doi))
        except ItemRefused:
            return
        owner_prefix = item.owner_prefix or prefix
        if item.member_id is not None:
            self.member_names[item.member_id][item.publisher] += 1
            self.owner_prefix_members[owner_prefix][item.member_id] += 1
            if prefix != owner_prefix:
                self.doi_prefix_members[prefix][item.member_id] += 1
        else:
            self.memberless[owner_prefix][item.publisher] += 1
            if prefix != owner_prefix:
                self.memberless_doi_prefixes[prefix][owner_prefix] += 1

    def prefixes(self) -> set[str]:
        return {
            *self.owner_prefix_members,
            *self.doi_prefix_members,
            *self.memberless,
            *self.memberless_doi_prefixes,
        }


def _most_common(counter: Counter) -> Any:
    # Ties go to the smallest key, so the plan does not depend on the order of the files.
    return min(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]


def _name(names: Counter[str]) -> str:
    named = Counter({k: v for k, v in names.items() if k})
    return _most_common(named)[:255] if named else ""


@dataclass
class _Plan:
    """Member id of each organisation to use (existing or to create) and of each prefix's owner."""

    organisations: dict[int, Organisation | None] = field(default_factory=dict)  # None: to create
    names: dict[int, str] = field(default_factory=dict)
    stand_ins: set[int] = field(default_factory=set)
    prefix_owner: dict[str, int] = field(default_factory=dict)
    existing_prefixes: dict[str, Prefix] = field(default_factory=dict)

    def owner_of(self, record: WorkRecord) -> int | None:
        if record.member_id is not None:
            return record.member_id
        for prefix in (record.prefix, doi_prefix(record.doi)):
            if prefix and prefix in self.prefix_owner:
                return self.prefix_owner[prefix]
        return None


def _plan(claims: _Claims, report: ImportReport) -> _Plan:
    plan = _Plan()
    prefixes = claims.prefixes()
    plan.existing_prefixes = {
        p.value: p for p in Prefix.objects.filter(value__in=prefixes).select_related("organisation")
    }
    wanted_members = set(claims.member_names)
    existing = {o.member_id: o for o in Organisation.objects.filter(member_id__in=wanted_members)}
    for member_id in sorted(wanted_members):
        plan.organisations[member_id] = existing.get(member_id)
        plan.names[member_id] = _name(claims.member_names[member_id]) or f"Member {member_id}"
    for value, prefix in plan.existing_prefixes.items():
        if prefix.organisation is not None:
            plan.prefix_owner[value] = prefix.organisation.member_id
            plan.organisations.setdefault(prefix.organisation.member_id, prefix.organisation)
    for value in sorted(prefixes - set(plan.prefix_owner)):
        claimed = claims.owner_prefix_members.get(value) or claims.doi_prefix_members.get(value)
        if claimed:
            plan.prefix_owner[value] = _most_common(claimed)
    for value, prefix in plan.existing_prefixes.items():
        claimed = claims.owner_prefix_members.get(value)
        if prefix.organisation is not None and claimed and prefix.organisation.member_id not in claimed:
            report.notes.append(
                f"prefix {value} belongs to {prefix.organisation} in the registry, but the files name "
                f"member {_most_common(claimed)} as its owner; the registry's owner was kept"
            )
    # Owner prefixes that only memberless items name, and nobody owns: one stand-in per publisher.
    highest = Organisation.objects.aggregate(highest=Max("member_id"))["highest"] or 0
    next_id = max([highest, *wanted_members]) + 1
    stand_in_by_name: dict[str, int] = {}
    for value in sorted(set(claims.memberless) - set(plan.prefix_owner)):
        name = _name(claims.memberless[value])
        key = name.lower() or f"prefix {value}"
        if key not in stand_in_by_name:
            stand_in_by_name[key] = next_id
            plan.organisations[next_id] = None
            plan.names[next_id] = name or f"Publisher of prefix {value}"
            plan.stand_ins.add(next_id)
            next_id += 1
        plan.prefix_owner[value] = stand_in_by_name[key]
    # DOI prefixes of memberless items under another owner prefix: owned like that prefix.
    for value in sorted(set(claims.memberless_doi_prefixes) - set(plan.prefix_owner)):
        owner_prefix = _most_common(claims.memberless_doi_prefixes[value])
        if owner_prefix in plan.prefix_owner:
            plan.prefix_owner[value] = plan.prefix_owner[owner_prefix]
    return plan


def _apply(plan: _Plan, report: ImportReport, *, dry_run: bool) -> None:
    """Create the planned organisations and prefixes (audited, actor None: the system)."""
    made: dict[int, OrganisationMade] = {}
    for member_id, organisation in sorted(plan.organisations.items()):
        if organisation is not None:
            continue
        made[member_id] = OrganisationMade(
            member_id=member_id, name=plan.names[member_id], stand_in=member_id in plan.stand_ins
        )
        if not dry_run:
            plan.organisations[member_id] = organisation_create(
                name=plan.names[member_id],
                actor=None,
                member_id=member_id,
                status=OrganisationStatus.ACTIVE,
            )
    for value, member_id in sorted(plan.prefix_owner.items()):
        if value in plan.existing_prefixes:
            continue
        if member_id in made:
            made[member_id].prefixes.append(value)
        if dry_run:
            report.prefixes[value] = member_id
            continue
        organisation = plan.organisations[member_id]
        try:
            plan.existing_prefixes[value] = prefix_assign(organisation=organisation, actor=None, value=value)
            report.prefixes[value] = member_id
        except AccountsError as exc:
            report.notes.append(f"prefix {value} was not created for {organisation}: {exc}")
    report.organisations = list(made.values())


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
