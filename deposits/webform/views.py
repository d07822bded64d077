"""The web deposit form pages under /account/<member_id>/deposit/.

One page holds the work form and its repeated rows; "Preview" shows the record as it will
appear and the deposit XML on the same page (every value stays in the form), "Register"
validates the XML against schema 5.5.0 and submits it like an upload, then redirects to the
submission's live page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import Organisation
from accounts.views import DEPOSITING, for_organisation
from deposits.services import SubmissionRefused
from deposits.webform import selectors
from deposits.webform.forms import (
    CONTENT_TYPES,
    ContributorFormSet,
    FundingFormSet,
    ResourceForm,
    WorkForm,
)
from deposits.webform.records import (
    initial_from_record,
    record_from_form,
    references_from_text,
    suggest_suffix,
)
from deposits.webform.services import DepositInvalid, deposit_build, webform_deposit, webform_references_add

REMEMBERED = ("content_type", "prefix", "container_title", "issn", "publisher", "volume", "issue", "language")
REMEMBERED_DATE = ("published_year", "published_month")


def _session_key(organisation: Organisation) -> str:
    return f"webform.issue.{organisation.member_id}"


def _remembered(request: HttpRequest, organisation: Organisation) -> dict:
    """The journal and issue of the last article deposited here (session), else those of
    the organisation's newest registered article."""
    stored = request.session.get(_session_key(organisation))
    if stored:
        return dict(stored)
    record = selectors.last_journal_article(organisation)
    if record is None:
        return {}
    initial, _, _ = initial_from_record(record)
    return {k: initial[k] for k in (*REMEMBERED, *REMEMBERED_DATE) if initial.get(k)}


def _remember(request: HttpRequest, organisation: Organisation, data: dict) -> None:
    if data.get("content_type") != "journal-article":
        return
    request.session[_session_key(organisation)] = {
        k: data.get(k) for k in (*REMEMBERED, *REMEMBERED_DATE) if data.get(k) not in (None, "")
    }


def _forms(
    request: HttpRequest, prefixes: list[str], *, initial=None, rows=None, funding=None, editing=False
):
    if request.method == "POST":
        return (
            WorkForm(request.POST, prefixes=prefixes, editing=editing, initial=initial),
            ContributorFormSet(request.POST, prefix="contributors"),
            FundingFormSet(request.POST, prefix="funding"),
        )
    return (
        WorkForm(initial=initial, prefixes=prefixes, editing=editing),
        ContributorFormSet(initial=rows, prefix="contributors"),
        FundingFormSet(initial=funding, prefix="funding"),
    )


def _rows(formset) -> list[dict]:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


def _handle(request, organisation, context, *, form, people, funders, editing_work=None) -> HttpResponse:
    """Preview or register a valid POST; render the page (with messages at the fields) otherwise."""
    preview = None
    problems: list = []
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action and form.is_valid() & people.is_valid() & funders.is_valid():
        doi = editing_work.doi if editing_work else form.doi
        record = record_from_form(
            form.cleaned_data, doi=doi, contributors=_rows(people), funding=_rows(funders)
        )
        stored = editing_work.deposit_timestamp if editing_work else None
        if editing_work is None and selectors.doi_registered(doi):
            form.add_error(
                "suffix", f"{doi} is already registered: choose another suffix, or edit that record."
            )
        elif action == "register":
            try:
                submission = webform_deposit(
                    organisation=organisation, user=request.user, record=record, stored_timestamp=stored
                )
            except DepositInvalid as invalid:
                problems = invalid.problems
            except SubmissionRefused as refused:
                form.add_error(None, refused.message)
            else:
                _remember(request, organisation, form.cleaned_data)
                messages.success(request, f"{doi} was sent for registration as submission {submission.pk}.")
                return redirect(
                    "deposits:detail", member_id=organisation.member_id, submission_id=submission.pk
                )
        else:
            built = deposit_build(
                record=record, organisation=organisation, user=request.user, stored_timestamp=stored
            )
            preview = {"record": record, "xml": built.xml.decode("utf-8")}
    return render(
        request,
        "webform/form.html",
        {
            **context,
            "tab": "register",
            "form": form,
            "people": people,
            "funders": funders,
            "preview": preview,
            "problems": problems,
            "editing": editing_work,
        },
    )


@for_organisation(read=DEPOSITING, write=DEPOSITING)
def deposit_new(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    prefixes = selectors.depositable_prefixes(organisation)
    if not prefixes:
        return render(request, "webform/no_prefix.html", {**context, "tab": "register"})
    initial = {"prefix": prefixes[0], "content_type": request.GET.get("type", "journal-article")}
    initial.update(_remembered(request, organisation))
    if request.GET.get("type"):
        initial["content_type"] = request.GET["type"]
    initial["suffix"] = suggest_suffix(year=initial.get("published_year"))
    form, people, funders = _forms(
        request, prefixes, initial=initial, rows=[{"kind": "person", "role": "author"}]
    )
    return _handle(request, organisation, context, form=form, people=people, funders=funders)


@for_organisation(read=DEPOSITING, write=DEPOSITING)
def deposit_edit(request: HttpRequest, organisation: Organisation, context: dict, doi: str) -> HttpResponse:
    work = selectors.work_of_organisation(organisation=organisation, doi=doi)
    if work.type not in dict(CONTENT_TYPES):
        messages.error(
            request,
            f"{work.doi} is a {work.type} record, which the form does not edit: deposit XML for it, "
            "or change only its URL and references here.",
        )
        return redirect("webform:resources", member_id=organisation.member_id, doi=work.doi)
    prefixes = selectors.depositable_prefixes(organisation)
    initial, rows, funding = initial_from_record(selectors.work_record(work))
    form, people, funders = _forms(
        request, prefixes, initial=initial, rows=rows, funding=funding, editing=True
    )
    return _handle(
        request, organisation, context, form=form, people=people, funders=funders, editing_work=work
    )


@for_organisation(read=DEPOSITING, write=DEPOSITING)
def deposit_resources(
    request: HttpRequest, organisation: Organisation, context: dict, doi: str
) -> HttpResponse:
    """Resource-only changes: a new URL (a redeposit of the stored record with only its URL
    changed) and references to add (a doi_citations resource deposit)."""
    work = selectors.work_of_organisation(organisation=organisation, doi=doi)
    record = selectors.work_record(work)
    form = ResourceForm(request.POST or None, initial={"url": work.url})
    problems: list = []
    if request.method == "POST" and form.is_valid():
        created = []
        try:
            added = references_from_text(
                form.cleaned_data["add_references"], start=len(record.references) + 1
            )
            if added:
                created.append(
                    webform_references_add(
                        organisation=organisation,
                        user=request.user,
                        doi=work.doi,
                        existing=record.references,
                        added=added,
                    )
                )
            if form.cleaned_data["url"] != work.url:
                from linking.records import ResourceUrl

                record.resource_urls = [ResourceUrl(url=form.cleaned_data["url"])] + [
                    u for u in record.resource_urls if u.kind != "primary"
                ]
                created.append(
                    webform_deposit(
                        organisation=organisation,
                        user=request.user,
                        record=record,
                        stored_timestamp=work.deposit_timestamp,
                    )
                )
        except DepositInvalid as invalid:
            problems = invalid.problems
        except SubmissionRefused as refused:
            form.add_error(None, refused.message)
        if created and not problems:
            messages.success(request, f"Sent as submission {', '.join(str(s.pk) for s in created)}.")
            return redirect("deposits:detail", member_id=organisation.member_id, submission_id=created[-1].pk)
        if not created and not problems and not form.errors:
            form.add_error(None, "Nothing changed: give a new URL or references to add.")
    return render(
        request,
        "webform/resources.html",
        {**context, "tab": "register", "form": form, "work": work, "record": record, "problems": problems},
    )


@for_organisation(read=DEPOSITING, write=DEPOSITING)
def funder_search(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    found = selectors.funders_matching(request.GET.get("q", ""))
    return render(
        request, "webform/partials/funder_options.html", {"funders": found, "row": request.GET.get("row", "")}
    )


@for_organisation(read=DEPOSITING, write=DEPOSITING)
def affiliation_search(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    found = selectors.affiliations_matching(request.GET.get("q", ""))
    return render(
        request,
        "webform/partials/affiliation_options.html",
        {"affiliations": found, "row": request.GET.get("row", "")},
    )
