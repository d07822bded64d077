"""The Simple Text Query pages: paste references, see each one's DOI. Short lists are
matched inside the request; longer ones become a job whose page (reachable only through
its random URL) shows progress, then the results."""

from __future__ import annotations

import csv
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from linking.matching.stq import (
    INLINE_STQ_REFERENCES,
    MAX_STQ_REFERENCES,
    STQ_JOB_RETENTION,
    StqRefused,
    stq_job_create,
    stq_job_find,
    stq_references,
    stq_results,
)
from linking.models import SimpleTextQueryJob, StqJobStatus


@require_http_methods(["GET", "POST"])
def simple_text_query(request: HttpRequest) -> HttpResponse:
    context = _page_context(text="", rows=None)
    if request.method == "POST":
        text = request.POST.get("references", "")
        context["text"] = text
        try:
            references = stq_references(text)
            if len(references) > INLINE_STQ_REFERENCES:
                job = stq_job_create(text=text, references=references, user=request.user)
                return redirect("matching:simple_text_query_job", job_id=job.public_id)
        except StqRefused as exc:
            context["error"] = str(exc)
            return render(request, "matching/simple_text_query.html", context, status=exc.status)
        rows = stq_results(references)
        if request.POST.get("download") == "csv":
            return _csv(rows)
        context.update(rows=rows, matched=_matched(rows))
    return render(request, "matching/simple_text_query.html", context)


@require_GET
def simple_text_query_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(job_id)
    if request.GET.get("format") == "csv":
        if job.status != StqJobStatus.DONE:
            return HttpResponse(
                "The results are not ready yet; download them once the page says Done.",
                status=409,
                content_type="text/plain; charset=utf-8",
            )
        return _csv(job.results)
    response = render(request, "matching/stq_job.html", _job_context(job))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def simple_text_query_job_live(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress part of the job page, polled by htmx. Once the job is finished htmx is
    told to reload the whole page, which shows the results and no longer polls."""
    job = _job(job_id)
    response = render(request, "matching/partials/stq_job_live.html", _job_context(job))
    response["Cache-Control"] = "no-store"
    if job.is_finished:
        response["HX-Refresh"] = "true"
    return response


def _job(job_id: uuid.UUID) -> SimpleTextQueryJob:
    job = stq_job_find(public_id=job_id)
    if job is None:
        raise Http404("No such Simple Text Query: the link is wrong, or its results were deleted.")
    return job


def _page_context(**extra) -> dict:
    return {
        "max_references": MAX_STQ_REFERENCES,
        "inline_references": INLINE_STQ_REFERENCES,
        "retention_days": STQ_JOB_RETENTION.days,
        "site_name": settings.SITE_NAME,
        "deposit_url": _deposit_url(),
        "error": "",
        **extra,
    }


def _job_context(job: SimpleTextQueryJob) -> dict:
    done = job.status == StqJobStatus.DONE
    rows = job.results if done else None
    return _page_context(
        job=job,
        text=job.text,
        rows=rows,
        matched=_matched(rows) if done else 0,
        percent=int(100 * job.progress / job.total) if job.total else 0,
    )


def _matched(rows: list[dict]) -> int:
    return sum(1 for r in rows if r["doi"])


def _deposit_url() -> str:
    """The deposit-these-references form lives in the deposits app (linking never imports it)."""
    try:
        return reverse("deposits:stq_deposit")
    except NoReverseMatch:
        return ""


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def _csv(rows: list[dict]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="matched-references.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "doi", "confidence", "method", "citation"])
    for row in rows:
        writer.writerow(
            [
                _cell(row["reference"]),
                row["doi"] or "no match",
                row["confidence"] or "",
                row["method"],
                _cell(row["citation"]),
            ]
        )
    return response
