"""Conflicts: two or more DOIs that carry the same citation metadata ("added with conflict").

A work's citation key is, when it names its place in a container (first page or article
number): container + volume + issue + first page/article number + type (+ year when the
work has neither volume nor issue, as article numbers restart each year); otherwise
normalised title + year + first author's family name + container + type. Works whose
publication_type differs (full text, abstract only, bibliographic record) never conflict.

`conflicts_detect` is the read: for a batch of DOIs, the other works sharing their key,
found with indexed columns (the `(container, volume, issue, first_page)` index, or the
container or `issued` index). `conflicts_record` writes what a registration found (called
in the batch's transaction, after the write) and closes conflicts that a re-deposit with
distinguishing metadata resolved; `conflict_resolve` is the member's or staff's decision.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from unidecode import unidecode

from accounts.models import User
from accounts.services.audit import audit_record, snapshot
from linking.models import ConflictStatus, Work, WorkConflict

_WORK_FIELDS = (
    "id",
    "doi",
    "type",
    "title",
    "container_id",
    "volume",
    "issue",
    "first_page",
    "article_number",
    "issued",
    "data",
)


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value or "").lower()


def _words(value: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", unidecode(value or "").lower()))


def _publication_type(work: Work) -> str:
    return ((work.data or {}).get("extra") or {}).get("publication-type", "") or "full_text"


def _first_author(work: Work) -> str:
    people = [c for c in (work.data or {}).get("contributors", []) if c.get("role", "author") == "author"]
    first = next((c for c in people if c.get("sequence") == "first"), people[0] if people else None)
    if first is None:
        return ""
    return _words(first.get("family") or first.get("name") or "")


# Records nobody cites by volume/page/title (titles of series and issues, figures and
# tables, review reports titled "Decision letter", grants): never put in conflict.
NOT_CITED = frozenset(
    {
        "component",
        "journal",
        "journal-volume",
        "journal-issue",
        "book-series",
        "book-set",
        "proceedings-series",
        "report-series",
        "database",
        "peer-review",
        "grant",
        "pending-publication",
    }
)


def citation_key(work: Work) -> tuple | None:
    """The metadata two works must share to be in conflict; None when there is too little."""
    if work.type in NOT_CITED:
        return None
    place = _compact(work.first_page) or _compact(work.article_number)
    year = (work.issued or "")[:4]
    if work.container_id and place:
        volume, issue = _compact(work.volume), _compact(work.issue)
        return (
            "place",
            work.container_id,
            volume,
            issue,
            place,
            work.type,
            _publication_type(work),
            "" if volume or issue else year,
        )
    title = _words(work.title)
    if not title or not year:
        return None
    return ("title", work.container_id, title, year, _first_author(work), work.type, _publication_type(work))


def _variants(values: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for value in values:
        if value:
            stripped = value.strip()
            found |= {value, stripped, stripped.lower(), stripped.upper()}
    return found


def _candidates(works: Sequence[Work]) -> list[Work]:
    """Works that may share a key with `works`: a superset, narrowed with indexed columns."""
    query = Q(pk__in=[])
    by_place = [w for w in works if w.container_id and (w.first_page or w.article_number)]
    if by_place:
        places = _variants([w.first_page for w in by_place] + [w.article_number for w in by_place])
        query |= Q(
            container_id__in={w.container_id for w in by_place},
            volume__in=_variants(w.volume for w in by_place) | {""},
            issue__in=_variants(w.issue for w in by_place) | {""},
        ) & (Q(first_page__in=places) | Q(article_number__in=places))
    years: dict[object, set[str]] = defaultdict(set)
    titles_without_container: set[str] = set()
    for work in works:
        key = citation_key(work)
        if key is not None and key[0] == "title":
            years[work.container_id].add(key[3])
            if work.container_id is None:
                titles_without_container.add(work.title)
    for container_id, container_years in years.items():
        for year in container_years:
            # A range on `issued` uses its index (LIKE 'YYYY%' would not on every database).
            in_year = Q(issued__gte=year, issued__lt=f"{int(year) + 1:04d}")
            if container_id is None:
                # No container to narrow by: only exactly equal titles are candidates.
                query |= in_year & Q(container__isnull=True, title__in=titles_without_container)
            else:
                query |= in_year & Q(container_id=container_id)
    return list(Work.objects.filter(query).only(*_WORK_FIELDS))


@dataclass
class DetectedConflicts:
    """For each DOI of the batch (lower case), the other DOIs with the same citation key."""

    others: dict[str, list[Work]] = field(default_factory=dict)
    works: dict[str, Work] = field(default_factory=dict)


def conflicts_detect(*, dois: Iterable[str]) -> DetectedConflicts:
    """The registered works among `dois` and, for each, the other works sharing its key.
    Works of the same batch conflict with each other too; a DOI never conflicts with itself."""
    works = [
        w
        for w in Work.objects.filter(doi__in={d.strip().lower() for d in dois}).only(*_WORK_FIELDS)
        if w.type not in NOT_CITED
    ]
    detected = DetectedConflicts(works={w.doi: w for w in works})
    if not works:
        return detected
    by_key: dict[tuple, list[Work]] = defaultdict(list)
    for candidate in {w.pk: w for w in [*_candidates(works), *works]}.values():
        key = citation_key(candidate)
        if key is not None:
            by_key[key].append(candidate)
    for work in works:
        key = citation_key(work)
        others = [w for w in by_key.get(key, []) if w.pk != work.pk] if key is not None else []
        if others:
            detected.others[work.doi] = sorted(others, key=lambda w: w.doi)
    return detected


@dataclass
class ConflictOutcome:
    """What registration did about conflicts for one DOI, for its log line."""

    conflict_ids: list[int] = field(default_factory=list)
    dois_in_conflict: list[str] = field(default_factory=list)
    resolved_ids: list[int] = field(default_factory=list)


def _conflicts_of(work_ids: Iterable[int]) -> list[WorkConflict]:
    ids = list(work_ids)
    return list(
        WorkConflict.objects.select_for_update()
        .filter(Q(work_id__in=ids) | Q(other_id__in=ids))
        .order_by("pk")
    )


@transaction.atomic
def conflicts_record(*, dois: Sequence[str], submission_id: int | None = None) -> dict[str, ConflictOutcome]:
    """Record the conflicts of just-registered DOIs. Returns an outcome for each DOI that is
    in an open conflict or whose re-deposit resolved one.

    An open conflict whose two works no longer share a key was resolved by this deposit
    (distinguishing metadata): its row is deleted and its id reported once, in this log,
    so the same pair colliding again later opens a new conflict. A conflict the member
    closed (primary, alias, accepted) stays closed and no longer warns."""
    detected = conflicts_detect(dois=dois)
    by_id = {w.pk: w for w in detected.works.values()}
    existing = _conflicts_of(by_id)
    pair_of = {frozenset((c.work_id, c.other_id)): c for c in existing}
    outcomes: dict[str, ConflictOutcome] = defaultdict(ConflictOutcome)
    still = {
        frozenset((detected.works[doi].pk, o.pk)) for doi, others in detected.others.items() for o in others
    }
    for conflict in existing:
        pair = frozenset((conflict.work_id, conflict.other_id))
        if pair in still or conflict.status != ConflictStatus.OPEN:
            continue
        for pk in pair & by_id.keys():
            outcomes[by_id[pk].doi].resolved_ids.append(conflict.pk)
        del pair_of[pair]
        conflict.delete()

    now = timezone.now()
    for doi, others in detected.others.items():
        work = detected.works[doi]
        for other in others:
            pair = frozenset((work.pk, other.pk))
            if pair not in pair_of:
                # One by one: the log needs each id, and bulk_create gives none on some databases.
                pair_of[pair] = WorkConflict.objects.create(
                    work=work, other=other, submission_id=submission_id, created_at=now
                )
        open_ones = [(o, pair_of[frozenset((work.pk, o.pk))]) for o in others]
        open_ones = [(o, c) for o, c in open_ones if c.status == ConflictStatus.OPEN]
        if open_ones:
            outcome = outcomes[doi]
            outcome.dois_in_conflict = [o.doi for o, _ in open_ones]
            outcome.conflict_ids = sorted(c.pk for _, c in open_ones)
    return dict(outcomes)


RESOLVED_STATUSES = (ConflictStatus.PRIMARY, ConflictStatus.ALIAS, ConflictStatus.ACCEPTED)


@transaction.atomic
def conflict_resolve(*, conflict: WorkConflict, status: str, user: User | None = None) -> WorkConflict:
    """Close a conflict: `work` is the primary, or an alias of `other`, or both are
    accepted as distinct works. `open` reopens it. Audited."""
    status = ConflictStatus(status)
    conflict = WorkConflict.objects.select_for_update().select_related("work", "other").get(pk=conflict.pk)
    before = snapshot(conflict, ["status", "resolved_at"])
    conflict.status = status
    conflict.resolved_at = timezone.now() if status in RESOLVED_STATUSES else None
    conflict.save(update_fields=["status", "resolved_at"])
    audit_record(
        actor=user,
        action=f"conflict.{status.value}",
        target=conflict,
        organisation=conflict.work.organisation,
        before=before,
        after=snapshot(conflict, ["status", "resolved_at"]),
        message=f"{conflict.work.doi} and {conflict.other.doi}: {status.label}",
    )
    return conflict
