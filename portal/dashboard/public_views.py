"""The public participation report of every member: how complete its metadata is, by
content type and period (like Crossref's participation reports). No login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import Organisation
from portal.dashboard import selectors
from portal.dashboard.charts import hbar_chart
from portal.dashboard.exports import csv_response, wants_csv


def participation(request: HttpRequest, member_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, member_id=member_id)
    period = request.GET.get("period", "all")
    if period not in dict(selectors.PERIODS):
        period = "all"
    rows = selectors.participation(organisation, period=period)
    if wants_csv(request):
        return csv_response(
            f"participation-{member_id}-{period}",
            [
                "content_type",
                "works",
                *[f"{key}_count" for key, _, _ in selectors.CHECKS],
                *[f"{key}_percent" for key, _, _ in selectors.CHECKS],
            ],
            (
                [
                    row.label,
                    row.total,
                    *[row.counts[k] for k, _, _ in selectors.CHECKS],
                    *[row.percent(k) for k, _, _ in selectors.CHECKS],
                ]
                for row in rows
            ),
        )
    overall = rows[-1] if rows else None
    chart = (
        hbar_chart(
            [(label, overall.percent(key)) for key, label, _ in selectors.CHECKS],
            title="Coverage in percent",
            unit="%",
            top=100,
        )
        if overall
        else ""
    )
    return render(
        request,
        "dashboard/participation.html",
        {
            "organisation": organisation,
            "rows": rows,
            "checks": selectors.CHECKS,
            "periods": selectors.PERIODS,
            "period": period,
            "chart": chart,
        },
    )
