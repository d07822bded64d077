"""Reads behind the member dashboard and its reports. Each takes the organisation and never
looks past it (the participation report is public, but still one member's works only).

Coverage is counted in the database (conditional counts over the works, with the side
tables for references and funders, and text matches in the stored record JSON for what has
no column), so the reports stay one query per table whatever the member's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from accounts.models import Organisation
from deposits.models import Submission, SubmissionStatus
from deposits.selectors import submissions_for_organisation
from linking.models import (
    ConflictStatus,
    DoiErrorReport,
    ResolutionCount,
    Title,
    Work,
    WorkConflict,
    WorkFunder,
    WorkReference,
)

# Participation checks: (key, label, condition on a Work queryset annotated by `_with_checks`).
CHECKS: list[tuple[str, str, Q]] = [
    ("references", "References", Q(has_references=True)),
    ("abstracts", "Abstracts", Q(data__has_key="abstract") & ~Q(data__abstract="")),
    ("orcids", "ORCID iDs", Q(data__icontains="orcid.org/")),
    ("funders", "Funder registry IDs", Q(has_funder_ids=True)),
    ("awards", "Award numbers", Q(data__icontains='"awards": ["') | Q(data__icontains='"awards":["')),
    ("licences", "Licence URLs", Q(data__has_key="licenses") & ~Q(data__licenses=[])),
    ("ror", "ROR IDs", Q(data__icontains="ror.org/")),
    ("crossmark", "Crossmark", Q(data__has_key="crossmark") & ~Q(data__crossmark={})),
    ("similarity", "Similarity Check URLs", Q(data__icontains="similarity-checking")),
]
PERIODS = [
    ("all", "All time"),
    ("current", "Current (this year and the two before)"),
    ("backfile", "Backfile"),
]


def works_for_organisation(organisation: Organisation) -> QuerySet[Work]:
    return Work.objects.filter(organisation=organisation)


def _with_checks(works: QuerySet[Work]) -> QuerySet[Work]:
    return works.annotate(
        has_references=Exists(WorkReference.objects.filter(work=OuterRef("pk"))),
        has_funder_ids=Exists(WorkFunder.objects.filter(work=OuterRef("pk")).exclude(funder_id="")),
    )


def _period(works: QuerySet[Work], period: str, today: datetime.date | None = None) -> QuerySet[Work]:
    start = f"{(today or datetime.date.today()).year - 2:04d}"
    if period == "current":
        return works.filter(issued__gte=start)
    if period == "backfile":
        return works.filter(issued__lt=start)
    return works


@dataclass
class CoverageRow:
    label: str  # a content type, a title or "All"
    total: int
    counts: dict[str, int]

    def percent(self, key: str) -> int:
        return round(100 * self.counts.get(key, 0) / self.total) if self.total else 0

    @property
    def cells(self) -> list[tuple[str, int, int]]:
        return [(key, self.counts.get(key, 0), self.percent(key)) for key, _, _ in CHECKS]


def coverage(works: QuerySet[Work], *, group: str = "type") -> list[CoverageRow]:
    """Coverage of every check, one row per `group` value (type or container_id), largest first."""
    aggregates = {key: Count("pk", filter=condition) for key, _, condition in CHECKS}
    rows = (
        _with_checks(works)
        .order_by()
        .values(group)
        .annotate(total=Count("pk"), **aggregates)
        .order_by("-total")
    )
    return [
        CoverageRow(label=str(row[group] or ""), total=row["total"], counts={k: row[k] for k, _, _ in CHECKS})
        for row in rows
    ]


def participation(organisation: Organisation, *, period: str = "all") -> list[CoverageRow]:
    rows = coverage(_period(works_for_organisation(organisation), period))
    if len(rows) > 1:
        total = sum(r.total for r in rows)
        counts = {key: sum(r.counts[key] for r in rows) for key, _, _ in CHECKS}
        rows.append(CoverageRow(label="All types", total=total, counts=counts))
    return rows


# --- Submissions -------------------------------------------------------------------------


def submissions_filtered(
    organisation: Organisation,
    *,
    status: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    text: str = "",
) -> QuerySet[Submission]:
    """The organisation's submissions, newest first, narrowed by status, received dates
    and a text that matches a file name or a DOI in the submission's log."""
    submissions = submissions_for_organisation(organisation)
    if status in SubmissionStatus.values:
        submissions = submissions.filter(status=status)
    if since:
        submissions = submissions.filter(created_at__date__gte=since)
    if until:
        submissions = submissions.filter(created_at__date__lte=until)
    text = text.strip()
    if text:
        submissions = submissions.filter(
            Q(file_name__icontains=text) | Q(batch_id=text) | Q(records__doi__iexact=text)
        ).distinct()
    return submissions


# --- Registered works and titles ---------------------------------------------------------


def works_filtered(
    organisation: Organisation, *, text: str = "", work_type: str = "", title_id: int | None = None
) -> QuerySet[Work]:
    works = works_for_organisation(organisation).select_related("container").order_by("-updated_at", "-pk")
    text = text.strip()
    if text:
        doi = text.lower().removeprefix("https://doi.org/")
        works = works.filter(Q(doi=doi) | Q(title__icontains=text))
    if work_type:
        works = works.filter(type=work_type)
    if title_id:
        works = works.filter(container_id=title_id)
    return works


def work_types(organisation: Organisation) -> list[str]:
    return list(
        works_for_organisation(organisation).order_by("type").values_list("type", flat=True).distinct()
    )


def titles_for_organisation(organisation: Organisation) -> QuerySet[Title]:
    """Titles the organisation owns or has works in, with the number of its works in each."""
    return (
        Title.objects.filter(Q(organisation=organisation) | Q(works__organisation=organisation))
        .annotate(work_count=Count("works", filter=Q(works__organisation=organisation)))
        .distinct()
        .order_by("title")
    )


def title_of_organisation(organisation: Organisation, title_id: int) -> Title | None:
    return titles_for_organisation(organisation).filter(pk=title_id).first()


# --- Reports -----------------------------------------------------------------------------


def conflicts_for_organisation(organisation: Organisation, *, status: str = "") -> QuerySet[WorkConflict]:
    conflicts = WorkConflict.objects.filter(work__organisation=organisation).select_related("work", "other")
    if status in ConflictStatus.values:
        conflicts = conflicts.filter(status=status)
    return conflicts.order_by("-created_at", "-pk")


def conflict_of_organisation(organisation: Organisation, conflict_id: int) -> WorkConflict | None:
    return conflicts_for_organisation(organisation).filter(pk=conflict_id).first()


def doi_errors_for_organisation(organisation: Organisation) -> QuerySet[DoiErrorReport]:
    return DoiErrorReport.objects.filter(organisation=organisation).order_by("-created_at", "-pk")


def _organisation_dois(organisation: Organisation) -> QuerySet:
    return works_for_organisation(organisation).values("doi")


def resolutions_by_month(organisation: Organisation, *, months: int = 24) -> list[tuple[str, int]]:
    counts = (
        ResolutionCount.objects.filter(doi__in=_organisation_dois(organisation))
        .values("month")
        .annotate(total=Sum("count"))
        .order_by("-month")[:months]
    )
    return [(row["month"].strftime("%Y-%m"), row["total"]) for row in reversed(list(counts))]


def top_resolved(organisation: Organisation, *, limit: int = 20) -> list[dict]:
    return list(
        ResolutionCount.objects.filter(doi__in=_organisation_dois(organisation))
        .values("doi")
        .annotate(total=Sum("count"))
        .order_by("-total", "doi")[:limit]
    )


def failed_resolutions_by_month(organisation: Organisation, *, months: int = 24) -> list[tuple[str, int]]:
    """DOIs under the organisation's prefixes that readers reported as not resolving."""
    rows = (
        doi_errors_for_organisation(organisation)
        .order_by()
        .values("created_at__year", "created_at__month")
        .annotate(total=Count("pk"))
        .order_by("-created_at__year", "-created_at__month")[:months]
    )
    return [
        (f"{r['created_at__year']:04d}-{r['created_at__month']:02d}", r["total"])
        for r in reversed(list(rows))
    ]


def dashboard_counts(organisation: Organisation) -> dict[str, int]:
    submissions = submissions_for_organisation(organisation)
    return {
        "works": works_for_organisation(organisation).count(),
        "submissions": submissions.count(),
        "pending": submissions.filter(
            status__in=[SubmissionStatus.QUEUED, SubmissionStatus.PROCESSING]
        ).count(),
        "failed": submissions.filter(status=SubmissionStatus.FAILED).count(),
        "open_conflicts": conflicts_for_organisation(organisation, status=ConflictStatus.OPEN).count(),
        "doi_errors": doi_errors_for_organisation(organisation).filter(resolved=False).count(),
    }
