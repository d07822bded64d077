"""Writes of the resolver: resolution counts and readers' DOI error reports."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Prefix
from linking.models import DoiErrorReport, ResolutionCount

BATCH = 500


@transaction.atomic
def resolution_counts_add(*, counts: dict[tuple[str, date], int]) -> None:
    """Add counts to `ResolutionCount` rows (doi, first day of month), creating rows as needed,
    in one upsert per batch: concurrent flushes add up instead of overwriting each other."""
    table = connection.ops.quote_name(ResolutionCount._meta.db_table)
    items = sorted(counts.items())
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        values = ", ".join(["(%s, %s, %s)"] * len(batch))
        params: list = []
        for (doi, month), count in batch:
            params += [doi, month, count]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (doi, month, count) VALUES {values} "
                f"ON CONFLICT (doi, month) DO UPDATE SET count = {table}.count + excluded.count",
                params,
            )


DUPLICATE_WINDOW = timedelta(days=1)


@transaction.atomic
def doi_error_report_create(
    *, doi: str, email: str = "", referrer: str = "", comment: str = ""
) -> DoiErrorReport:
    """Record a reader's report that `doi` does not resolve, for the owner of its prefix
    when we know it. The same DOI reported again by the same address within a day, before
    anyone dealt with it, adds the new comment to the open report instead of a new one."""
    doi = doi.strip().lower()
    prefix = Prefix.objects.filter(value=doi.split("/", 1)[0]).select_related("organisation").first()
    open_report = (
        DoiErrorReport.objects.select_for_update()
        .filter(doi=doi, email=email, resolved=False, created_at__gte=timezone.now() - DUPLICATE_WINDOW)
        .order_by("-created_at")
        .first()
    )
    if open_report is not None:
        if comment and comment not in open_report.comment:
            open_report.comment = f"{open_report.comment}\n\n{comment}".strip()
            open_report.save(update_fields=["comment"])
        return open_report
    return DoiErrorReport.objects.create(
        doi=doi,
        email=email,
        referrer=referrer[:2000],
        comment=comment,
        organisation=prefix.organisation if prefix else None,
    )
