"""Writes to the registry. `records_register` is the one road into it for every channel:
deposits, the web form and imports all end here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.billing.services import NewRegistration, registrations_record
from accounts.models import Organisation, Prefix
from linking.bulk import insert_rows
from linking.matching.queue import works_registered
from linking.matching.services import cited_by_recount
from linking.models import ResourceUrl, Title, TitleIdentifier, Work, WorkFunder, WorkReference, WorkRelation
from linking.records import RESOURCE_PARTS, Container, WorkRecord, work_record_from_json
from linking.resolver.cache import resolution_targets_changed
from linking.search import index_works


@dataclass
class ResourceRecord:
    """A resource-only deposit for one existing DOI: `parts` carries new values for the
    fields named in `replace` (a subset of RESOURCE_PARTS); everything else stays."""

    doi: str
    parts: WorkRecord
    replace: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.doi = self.doi.strip().lower()
        unknown = self.replace - set(RESOURCE_PARTS)
        if unknown:
            raise ValueError(f"Not resource parts: {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class Registered:
    doi: str
    created: bool


def _prefix_of(doi: str) -> str:
    return doi.split("/", 1)[0]


def _issued(record: WorkRecord) -> str:
    for date in (record.issued, record.published_print, record.published_online, record.posted):
        if date is not None:
            return date.sort_key()
    return ""


def normalise_identifier(value: str) -> str:
    """An ISSN or ISBN as title records store it: no hyphens or spaces, upper case."""
    return re.sub(r"[\s-]", "", value).upper()


def _identifiers(container: Container) -> list[tuple[str, str, str]]:
    found = [("issn", normalise_identifier(i["value"]), i.get("type", "")) for i in container.issns]
    found += [("isbn", normalise_identifier(i["value"]), i.get("type", "")) for i in container.isbns]
    return [(scheme, value, kind) for scheme, value, kind in found if value]


class _TitleCache:
    """Finds or creates the title record of each container once per batch."""

    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        self.by_key: dict[tuple, Title] = {}

    def get(self, container: Container | None) -> Title | None:
        if container is None or not container.titles:
            return None
        identifiers = _identifiers(container)
        key = (container.kind, tuple(sorted(v for _, v, _ in identifiers)) or container.titles[0].lower())
        if key in self.by_key:
            return self.by_key[key]
        title = None
        if identifiers:
            found = (
                TitleIdentifier.objects.select_related("title")
                .filter(scheme__in=[s for s, _, _ in identifiers], value__in=[v for _, v, _ in identifiers])
                .first()
            )
            title = found.title if found else None
        if title is None and not identifiers:
            title = Title.objects.filter(
                kind=container.kind, title=container.titles[0], organisation=self.organisation
            ).first()
        if title is None:
            title = Title.objects.create(
                kind=container.kind,
                title=container.titles[0],
                data={
                    "titles": container.titles,
                    "short_titles": container.short_titles,
                    "issns": container.issns,
                    "isbns": container.isbns,
                },
                doi=container.doi.lower(),
                publisher=container.publisher,
                organisation=self.organisation,
            )
            TitleIdentifier.objects.bulk_create(
                [TitleIdentifier(title=title, scheme=s, value=v, type=t) for s, v, t in identifiers],
                ignore_conflicts=True,
            )
        self.by_key[key] = title
        return title


# The keys of `_columns`: what an update of an existing work rewrites.
WORK_COLUMNS = (
    "type",
    "subtype",
    "title",
    "container",
    "container_title",
    "volume",
    "issue",
    "first_page",
    "article_number",
    "issued",
    "url",
    "data",
)


def _columns(record: WorkRecord, title: Title | None) -> dict:
    return {
        "type": record.type,
        "subtype": record.subtype,
        "title": record.title,
        "container": title,
        "container_title": record.container.titles[0] if record.container and record.container.titles else "",
        "volume": record.volume[:100],
        "issue": record.issue[:100],
        "first_page": record.first_page[:100],
        "article_number": record.article_number[:100],
        "issued": _issued(record),
        "url": record.url,
        "data": record.to_json(),
    }


def _side_rows(work: Work, record: WorkRecord, parts: Sequence[str]) -> dict[type, list]:
    rows: dict[type, list] = {}
    if "resource_urls" in parts:
        rows[ResourceUrl] = [
            ResourceUrl(work=work, url=u.url, kind=u.kind, label=u.label, position=i)
            for i, u in enumerate(record.resource_urls)
        ]
    if "references" in parts:
        rows[WorkReference] = [
            WorkReference(
                work=work,
                key=r.key[:200],
                position=i,
                doi=r.doi.lower(),
                unstructured=r.unstructured,
                data={k: v for k, v in r.__dict__.items() if v and k not in ("key", "doi", "unstructured")},
            )
            for i, r in enumerate(record.references)
        ]
    if "relations" in parts or "updates" in parts:
        rows[WorkRelation] = [
            WorkRelation(
                work=work,
                kind="relation",
                type=r.type,
                target=r.id.lower(),
                id_type=r.id_type,
                data={"kind": r.kind, "description": r.description},
            )
            for r in record.relations
        ] + [
            WorkRelation(
                work=work,
                kind="update",
                type=u.type,
                target=u.doi.lower(),
                data={"date": u.date.parts() if u.date else None, "label": u.label},
            )
            for u in record.updates
        ]
    if "funding" in parts:
        rows[WorkFunder] = [
            WorkFunder(work=work, funder_id=f.funder_id.lower(), name=f.name, awards=f.awards)
            for f in record.funding
        ]
    return rows


def _replace_side_rows(works_and_records: list[tuple[Work, WorkRecord]], parts: Sequence[str]) -> None:
    collected: dict[type, list] = {}
    touched: dict[type, list[int]] = {}
    for work, record in works_and_records:
        for model, rows in _side_rows(work, record, parts).items():
            collected.setdefault(model, []).extend(rows)
            touched.setdefault(model, []).append(work.pk)
    for model, work_ids in touched.items():
        if model is WorkReference:
            # The DOIs these references cited lose a citation unless the new list cites them again.
            unlinked = set(
                WorkReference.objects.filter(work_id__in=work_ids, match_status="matched").values_list(
                    "matched_doi", flat=True
                )
            )
            if unlinked:
                transaction.on_commit(partial(cited_by_recount, dois=unlinked))
        model.objects.filter(work_id__in=work_ids).delete()
        insert_rows(model, collected[model])


def _registered(*, work_ids: list[int], new_dois: list[str]) -> None:
    """Index the works now (inside the transaction); on commit, queue reference matching
    and tell every resolver process that targets changed."""
    index_works(work_ids)
    transaction.on_commit(partial(works_registered, work_ids=work_ids, new_dois=new_dois))
    # Now, so this process never serves a replaced URL; again on commit, when the other
    # processes can read the new one.
    resolution_targets_changed()
    transaction.on_commit(resolution_targets_changed)


ALL_PARTS = ("resource_urls", "references", "relations", "updates", "funding")


@transaction.atomic
def records_register(
    *,
    records: Sequence[WorkRecord],
    organisation: Organisation,
    source: str = "deposit",
    submission_id: int | None = None,
    deposit_timestamp: int | None = None,
) -> list[Registered]:
    """Store full records in one transaction: new DOIs are added, existing ones replaced
    whole (a re-deposit drops whatever the new record leaves out). Checks belong to the
    caller; this only writes."""
    if not records:
        return []
    now = timezone.now()
    dois = [r.doi for r in records]
    existing = {w.doi: w for w in Work.objects.select_for_update().filter(doi__in=dois)}
    prefixes = {p.value: p for p in Prefix.objects.filter(value__in={_prefix_of(d) for d in dois})}
    titles = _TitleCache(organisation)
    created, updated, pairs = [], [], []
    for record in records:
        columns = _columns(record, titles.get(record.container))
        timestamp = record.deposit_timestamp if record.deposit_timestamp is not None else deposit_timestamp
        work = existing.get(record.doi)
        if work is None:
            work = Work(doi=record.doi, created_at=now, **columns)
            created.append(work)
        else:
            for name, value in columns.items():
                setattr(work, name, value)
            updated.append(work)
        work.organisation = organisation
        work.prefix = prefixes.get(_prefix_of(record.doi))
        work.deposit_timestamp = timestamp
        work.last_submission_id = submission_id
        work.source = source
        work.updated_at = work.indexed_at = now
        pairs.append((work, record))
    insert_rows(Work, created)
    if updated:
        Work.objects.bulk_update(
            updated,
            [
                *WORK_COLUMNS,
                "organisation",
                "prefix",
                "deposit_timestamp",
                "last_submission_id",
                "source",
                "updated_at",
                "indexed_at",
            ],
            batch_size=500,
        )
    if any(w.pk is None for w, _ in pairs):  # COPY, and backends without RETURNING, give no ids
        ids = dict(Work.objects.filter(doi__in=dois).values_list("doi", "pk"))
        for work, _ in pairs:
            work.pk = work.pk or ids[work.doi]
    _replace_side_rows(pairs, ALL_PARTS)
    new = {w.doi for w in created}
    _registered(work_ids=[w.pk for w, _ in pairs], new_dois=sorted(new))
    registrations_record(
        organisation=organisation,
        registrations=[
            NewRegistration(
                doi=w.doi,
                type=w.type,
                publication_year=int(w.issued[:4]) if w.issued[:4].isdigit() else None,
                prefix=_prefix_of(w.doi),
            )
            for w in created
        ],
        registered_at=now,
        source=source,
    )
    return [Registered(doi=r.doi, created=r.doi in new) for r in records]


@transaction.atomic
def resources_register(
    *, resources: Sequence[ResourceRecord], submission_id: int | None = None
) -> list[Registered]:
    """Apply resource-only deposits: replace only the named parts of existing works."""
    now = timezone.now()
    works = {w.doi: w for w in Work.objects.select_for_update().filter(doi__in=[r.doi for r in resources])}
    pairs_by_parts: dict[tuple[str, ...], list[tuple[Work, WorkRecord]]] = {}
    changed = []
    for resource in resources:
        work = works[resource.doi]
        stored = work_record_from_json(work.data)
        changes = {part: getattr(resource.parts, part) for part in resource.replace}
        replaced = set(resource.replace)
        secondary = [u for u in resource.parts.resource_urls if u.kind != "primary"]
        if secondary and "resource_urls" not in replaced:
            # Multiple resolution from a resource-only deposit: the new secondary URLs
            # replace the stored ones; the primary URL stays.
            changes["resource_urls"] = [u for u in stored.resource_urls if u.kind == "primary"] + secondary
            replaced.add("resource_urls")
        merged = replace(stored, **changes)
        work.data = merged.to_json()
        work.url = merged.url
        work.last_submission_id = submission_id
        work.updated_at = work.indexed_at = now
        changed.append(work)
        side_parts = tuple(sorted(p for p in replaced if p in ALL_PARTS))
        pairs_by_parts.setdefault(side_parts, []).append((work, merged))
    Work.objects.bulk_update(changed, ["data", "url", "last_submission_id", "updated_at", "indexed_at"])
    for parts, pairs in pairs_by_parts.items():
        _replace_side_rows(pairs, parts)
    _registered(work_ids=[w.pk for w in changed], new_dois=[])
    return [Registered(doi=r.doi, created=False) for r in resources]
