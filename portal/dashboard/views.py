"""The member dashboard under /account/<member_id>/dashboard/: submissions, registered DOIs,
titles and the reports, each with a CSV export (?format=csv) of exactly what the filters
select. The participation report is also public (public_views)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.views import ANY_ROLE, DEPOSITING, for_organisation
from deposits.models import SubmissionStatus
from linking.models import ConflictStatus
from portal.dashboard import selectors
from portal.dashboard.charts import bar_chart
from portal.dashboard.exports import csv_response, wants_csv

PER_PAGE = 50


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def _page(request: HttpRequest, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _date(request: HttpRequest, name: str) -> datetime.date | None:
    try:
        return parse_date(request.GET.get(name, "") or "")
    except ValueError:
        return None


@for_organisation(read=ANY_ROLE)
def overview(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    return render(
        request,
        "dashboard/overview.html",
        {
            **context,
            "tab": "dashboard",
            "section": "overview",
            "counts": selectors.dashboard_counts(organisation),
        },
    )


@for_organisation(read=ANY_ROLE)
def submissions(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    status = request.GET.get("status", "")
    since, until = _date(request, "since"), _date(request, "until")
    text = request.GET.get("q", "")
    rows = selectors.submissions_filtered(organisation, status=status, since=since, until=until, text=text)
    if wants_csv(request):
        return csv_response(
            f"submissions-{organisation.member_id}",
            ["id", "file_name", "received", "status", "channel", "records", "success", "warning", "failure"],
            (
                [
                    s.pk,
                    s.file_name,
                    s.created_at.isoformat(),
                    s.status,
                    s.channel,
                    s.record_count,
                    s.success_count,
                    s.warning_count,
                    s.failure_count,
                ]
                for s in rows.iterator()
            ),
        )
    return render(
        request,
        "dashboard/submissions.html",
        {
            **context,
            "tab": "dashboard",
            "section": "submissions",
            "page": _page(request, rows),
            "statuses": SubmissionStatus.choices,
            "filters": {"status": status, "since": since, "until": until, "q": text},
            "query": _query_without_page(request),
        },
    )


@for_organisation(read=ANY_ROLE)
def works(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    text = request.GET.get("q", "")
    work_type = request.GET.get("type", "")
    try:
        title_id = int(request.GET.get("title") or 0) or None
    except ValueError:
        title_id = None
    rows = selectors.works_filtered(organisation, text=text, work_type=work_type, title_id=title_id)
    if wants_csv(request):
        return csv_response(
            f"dois-{organisation.member_id}",
            [
                "doi",
                "type",
                "title",
                "container_title",
                "volume",
                "issue",
                "first_page",
                "issued",
                "url",
                "updated",
            ],
            (
                [
                    w.doi,
                    w.type,
                    w.title,
                    w.container_title,
                    w.volume,
                    w.issue,
                    w.first_page,
                    w.issued,
                    w.url,
                    w.updated_at.isoformat(),
                ]
                for w in rows.iterator()
            ),
        )
    return render(
        request,
        "dashboard/works.html",
        {
            **context,
            "tab": "dashboard",
            "section": "works",
            "page": _page(request, rows),
            "types": selectors.work_types(organisation),
            "titles": selectors.titles_for_organisation(organisation),
            "filters": {"q": text, "type": work_type, "title": title_id},
            "query": _query_without_page(request),
        },
    )


@for_organisation(read=ANY_ROLE)
def titles(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    rows = selectors.titles_for_organisation(organisation)
    if wants_csv(request):
        return csv_response(
            f"titles-{organisation.member_id}",
            ["id", "title", "kind", "publisher", "doi", "works"],
            ([t.pk, t.title, t.kind, t.publisher, t.doi, t.work_count] for t in rows),
        )
    return render(
        request,
        "dashboard/titles.html",
        {**context, "tab": "dashboard", "section": "titles", "page": _page(request, rows)},
    )


@for_organisation(read=ANY_ROLE)
def depositor_report(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    """Works per title with their field coverage; ?title=<id> drills down into one title by type."""
    title = None
    if request.GET.get("title", "").isdigit():
        title = selectors.title_of_organisation(organisation, int(request.GET["title"]))
        if title is None:
            raise Http404("No title of this organisation has that id.")
    works = selectors.works_for_organisation(organisation)
    if title is not None:
        rows = selectors.coverage(works.filter(container=title), group="type")
    else:
        rows = selectors.coverage(works, group="container_id")
        names = {str(t.pk): t.title for t in selectors.titles_for_organisation(organisation)}
        for row in rows:
            row.title_id = row.label
            row.label = names.get(row.label, "(no title)") if row.label != "None" else "(no title)"
    if wants_csv(request):
        return csv_response(
            f"depositor-report-{organisation.member_id}",
            ["title" if title is None else "type", "works", *[key for key, _, _ in selectors.CHECKS]],
            ([row.label, row.total, *[row.counts[key] for key, _, _ in selectors.CHECKS]] for row in rows),
        )
    return render(
        request,
        "dashboard/depositor_report.html",
        {
            **context,
            "tab": "dashboard",
            "section": "depositor",
            "rows": rows,
            "title": title,
            "checks": selectors.CHECKS,
        },
    )


@for_organisation(read=ANY_ROLE, write=DEPOSITING)
def conflict_report(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    status = request.GET.get("status", ConflictStatus.OPEN)
    rows = selectors.conflicts_for_organisation(organisation, status=status)
    if wants_csv(request):
        return csv_response(
            f"conflicts-{organisation.member_id}",
            ["id", "doi", "title", "other_doi", "other_title", "status", "created", "resolved"],
            (
                [
                    c.pk,
                    c.work.doi,
                    c.work.title,
                    c.other.doi,
                    c.other.title,
                    c.status,
                    c.created_at.isoformat(),
                    c.resolved_at.isoformat() if c.resolved_at else "",
                ]
                for c in rows
            ),
        )
    return render(
        request,
        "dashboard/conflict_report.html",
        {
            **context,
            "tab": "dashboard",
            "section": "conflicts",
            "page": _page(request, rows),
            "status": status,
            "statuses": ConflictStatus.choices,
            "query": _query_without_page(request),
        },
    )


@require_POST
@for_organisation(read=DEPOSITING, write=DEPOSITING)
def conflict_resolve(
    request: HttpRequest, organisation: Organisation, context: dict, conflict_id: int
) -> HttpResponse:
    from linking.conflicts import conflict_resolve as resolve

    conflict = selectors.conflict_of_organisation(organisation, conflict_id)
    if conflict is None:
        raise Http404("No conflict of this organisation has that id.")
    status = request.POST.get("status", "")
    if status not in ConflictStatus.values:
        messages.error(request, f"“{status}” is not a way to resolve a conflict.")
    else:
        resolve(conflict=conflict, status=status, user=request.user)
        messages.success(
            request, f"{conflict.work.doi} and {conflict.other.doi}: {ConflictStatus(status).label}."
        )
    return redirect("dashboard:conflicts", member_id=organisation.member_id)


@for_organisation(read=ANY_ROLE)
def doi_error_report(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    rows = selectors.doi_errors_for_organisation(organisation)
    if wants_csv(request):
        return csv_response(
            f"doi-errors-{organisation.member_id}",
            ["doi", "reported", "referrer", "comment", "resolved"],
            ([r.doi, r.created_at.isoformat(), r.referrer, r.comment, r.resolved] for r in rows.iterator()),
        )
    return render(
        request,
        "dashboard/doi_error_report.html",
        {
            **context,
            "tab": "dashboard",
            "section": "doi_errors",
            "page": _page(request, rows),
            "query": _query_without_page(request),
        },
    )


@for_organisation(read=ANY_ROLE)
def resolution_report(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    monthly = selectors.resolutions_by_month(organisation)
    failed = selectors.failed_resolutions_by_month(organisation)
    top = selectors.top_resolved(organisation)
    if wants_csv(request):
        failed_by_month = dict(failed)
        months = sorted({m for m, _ in monthly} | set(failed_by_month))
        resolved_by_month = dict(monthly)
        return csv_response(
            f"resolutions-{organisation.member_id}",
            ["month", "resolutions", "failed_resolutions_reported"],
            ([m, resolved_by_month.get(m, 0), failed_by_month.get(m, 0)] for m in months),
        )
    return render(
        request,
        "dashboard/resolution_report.html",
        {
            **context,
            "tab": "dashboard",
            "section": "resolutions",
            "monthly": monthly,
            "failed": failed,
            "top": top,
            "chart": bar_chart(monthly, title="Resolutions per month"),
            "failed_chart": bar_chart(failed, title="Failed resolutions reported per month"),
        },
    )
