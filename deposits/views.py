"""The ways in and out of content registration.

Machine endpoints, shaped like Crossref's: `POST /servlet/deposit` takes a file and answers
with a receipt (never the result); `/servlet/submissionDownload` returns the log or the
file as received. Both authenticate with deposit credentials, not a session.

Member pages under /account/<member_id>/deposits/: the submissions list, the upload page
and one page per submission with its log. They load the organisation through accounts'
`for_organisation`: 404 to anyone who does not act for it (and for another member's
submission ids), 403 to a member whose roles do not allow depositing."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.models import Organisation
from accounts.selectors import has_any_role
from accounts.views import ANY_ROLE, DEPOSITING, for_organisation
from deposits import selectors, services
from deposits.access import AccessRefused, organisation_refusal, request_identity, request_param
from deposits.errors import human_size
from deposits.forms import UploadForm
from deposits.log import diagnostic_json, diagnostic_xml
from deposits.models import Channel, Operation, RecordStatus, Submission
from deposits.uploads import (
    FORM_OVERHEAD,
    content_length,
    incoming,
    install_size_guard,
    receive,
    request_too_large_message,
    too_large_message,
)

RECEIVED = "Your batch submission was successfully received."
FILE_FIELD = "fname"
RECORDS_PER_PAGE = 200
SUBMISSIONS_PER_PAGE = 50


# --- Machine endpoints ------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """An error answer: plain text, or JSON for clients that ask for it."""
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"status": "error", "message": message}, status=status)
    else:
        response = HttpResponse(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="deposit"'
    elif status == 429:
        response["Retry-After"] = "300"
    return response


def _param(request: HttpRequest, name: str) -> str:
    return request_param(request, name).strip()


@csrf_exempt
def servlet_deposit(request: HttpRequest) -> HttpResponse:
    """`POST /servlet/deposit`: store the file, queue it, answer with a receipt."""
    if request.method != "POST":
        response = _refusal(
            request,
            405,
            "Send deposits with POST as multipart/form-data: operation (doMDUpload or doDOICitUpload), "
            f"login_id and login_passwd, and the deposit XML as the file field '{FILE_FIELD}'. "
            "Fetch results with /servlet/submissionDownload.",
        )
        response["Allow"] = "POST"
        return response
    # Refuse an oversized request before reading its body.
    length = content_length(request)
    if length is not None and length > settings.DEPOSIT_MAX_BYTES + FORM_OVERHEAD:
        return _refusal(request, 413, request_too_large_message(length))
    guard = install_size_guard(request)
    try:
        request.POST, request.FILES  # noqa: B018 - parse the body now, within the limits
    except RequestDataTooBig:
        return _refusal(
            request,
            413,
            f"The form fields besides the file are larger than "
            f"{human_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}. Send the deposit XML as the file "
            f"field '{FILE_FIELD}' (multipart/form-data), not as a text field.",
        )
    except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError) as exc:
        return _refusal(request, 400, f"The request could not be read as multipart/form-data: {exc}")

    try:
        identity = request_identity(request)
    except AccessRefused as refused:
        return _refusal(request, refused.status, refused.message)

    operation = _param(request, "operation") or Operation.METADATA
    if operation not in Operation.values:
        allowed = " or ".join(f"{value} ({label.lower()})" for value, label in Operation.choices)
        return _refusal(request, 400, f"operation={operation} is not accepted here; use {allowed}.")
    uploaded = request.FILES.get(FILE_FIELD)
    if uploaded is None and guard.too_large:
        return _refusal(request, 413, too_large_message(guard.too_large[0]))
    if uploaded is None:
        return _refusal(
            request,
            400,
            f"No file received: send the deposit XML as the multipart/form-data file field '{FILE_FIELD}'.",
        )
    try:
        submission = receive(
            organisation=identity.organisation,
            upload=incoming(uploaded),
            channel=Channel.HTTP,
            operation=operation,
            credential=identity.credential,
            user=identity.user,
        )
    except services.SubmissionRefused as refused:
        return _refusal(request, refused.status, refused.message)
    return _receipt(request, submission)


def _receipt(request: HttpRequest, submission: Submission) -> HttpResponse:
    data = {
        "status": "received",
        "message": RECEIVED,
        "submission_id": submission.pk,
        "file_name": submission.file_name,
        "operation": submission.operation,
        "received": submission.created_at.isoformat(),
        "result": "Poll /servlet/submissionDownload with file_name and type=result for the log.",
    }
    if _wants_json(request):
        return JsonResponse(data)
    return HttpResponse(
        render_to_string("deposits/receipt.html", {"receipt": data, "submission": submission})
    )


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def servlet_submission_download(request: HttpRequest) -> HttpResponse:
    """`/servlet/submissionDownload`: the log (type=result) or the file as received
    (type=contents) of the newest submission of the caller's organisation with that
    file_name or doi_batch_id."""
    try:
        identity = request_identity(request)
    except AccessRefused as refused:
        return _refusal(request, refused.status, refused.message)
    kind = _param(request, "type") or "result"
    if kind not in ("result", "contents"):
        return _refusal(
            request, 400, f"type={kind} is not known; use type=result (the log) or type=contents."
        )
    file_name, batch_id = _param(request, "file_name"), _param(request, "doi_batch_id")
    if not file_name and not batch_id:
        return _refusal(request, 400, "Say which submission: send file_name (recommended) or doi_batch_id.")
    submission = selectors.submission_latest(
        organisation=identity.organisation, file_name=file_name, batch_id=batch_id
    )
    if submission is None:
        named = f"file name {file_name}" if file_name else f"doi_batch_id {batch_id}"
        message = f"No submission of {identity.organisation.name} has the {named}."
        if kind == "result":
            return HttpResponse(
                render_to_string("deposits/unknown_submission.xml", {"message": message}),
                status=404,
                content_type="application/xml; charset=utf-8",
            )
        return _refusal(request, 404, message)
    if kind == "result":
        return HttpResponse(diagnostic_xml(submission), content_type="application/xml; charset=utf-8")
    return _original_file(submission)


def _original_file(submission: Submission) -> FileResponse:
    """The file exactly as received, always as a download: it is the member's content, not
    ours, and must never run as a page on this site."""
    if submission.file_name.lower().endswith(".xml"):
        content_type = "application/xml"
    else:
        content_type = mimetypes.guess_type(submission.file_name)[0] or "application/octet-stream"
    response = FileResponse(
        submission.file.open("rb"),
        as_attachment=True,
        filename=submission.file_name,
        content_type=content_type,
    )
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- Member pages -----------------------------------------------------------------------


def _may_deposit(roles: set[str]) -> bool:
    return has_any_role(roles, DEPOSITING)


@for_organisation(read=ANY_ROLE)
def submission_list(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    page = Paginator(selectors.submissions_for_organisation(organisation), SUBMISSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "deposits/submission_list.html",
        {**context, "page": page, "may_deposit": _may_deposit(context["roles"]), "tab": "deposits"},
    )


@csrf_exempt
def upload(request: HttpRequest, member_id: int) -> HttpResponse:
    # The size guard must be in place before anything reads the body, and the CSRF check
    # reads it; so CSRF is checked inside (_upload), after the guard is installed.
    request.deposit_size_guard = install_size_guard(request)
    try:
        return _upload(request, member_id=member_id)
    except (TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        messages.error(
            request,
            f"That upload could not be read: send at most {limit} files at once."
            if limit
            else "That upload could not be read.",
        )
        return redirect("deposits:upload", member_id=member_id)


@for_organisation(read=DEPOSITING, write=DEPOSITING)
@csrf_protect
def _upload(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST":
        created = _upload_files(request, organisation, form)
        if created and not form.errors:
            if len(created) == 1:
                submission = created[0]
                messages.success(
                    request, f"{submission.file_name} was received as submission {submission.pk}."
                )
                return redirect(
                    "deposits:detail", member_id=organisation.member_id, submission_id=submission.pk
                )
            messages.success(
                request,
                f"{len(created)} files were received; each is processed as its own submission.",
            )
            return redirect("deposits:list", member_id=organisation.member_id)
        if created:
            names = ", ".join(f"{s.file_name} (submission {s.pk})" for s in created)
            messages.success(request, f"Received: {names}. The files named below were not.")
    return render(
        request,
        "deposits/upload.html",
        {**context, "form": form, "tab": "deposits", "max_size": human_size(settings.DEPOSIT_MAX_BYTES)},
    )


def _upload_files(request: HttpRequest, organisation: Organisation, form: UploadForm) -> list[Submission]:
    """Create one submission per uploaded file; every refusal becomes a form error that
    names its file."""
    guard = getattr(request, "deposit_size_guard", None)
    too_large = list(guard.too_large) if guard else []
    form.is_valid()
    files = form.cleaned_data.get("files") or []
    operation = form.cleaned_data.get("operation") or Operation.METADATA
    if too_large and not request.FILES.getlist("files"):
        # Every file was over the limit: say that, not "choose a file".
        form.errors.pop("files", None)
    problems = [too_large_message(name) for name in too_large]
    created: list[Submission] = []
    if not organisation.is_active:
        form.add_error(None, organisation_refusal(organisation))
    elif "operation" not in form.errors:
        for uploaded in files:
            try:
                created.append(
                    receive(
                        organisation=organisation,
                        upload=incoming(uploaded),
                        channel=Channel.UPLOAD,
                        operation=operation,
                        user=request.user,
                    )
                )
            except services.SubmissionRefused as refused:
                problems.append(refused.message)
    for problem in problems:
        form.add_error("files", problem)
    return created


def _submission(organisation: Organisation, submission_id: int) -> Submission:
    return selectors.submission_for_organisation(organisation=organisation, submission_id=submission_id)


def _detail_context(request: HttpRequest, submission: Submission) -> dict:
    outcome = request.GET.get("outcome", "")
    if outcome not in RecordStatus.values:
        outcome = ""
    records = Paginator(selectors.submission_records(submission, status=outcome), RECORDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = {
        RecordStatus.SUCCESS: submission.success_count,
        RecordStatus.WARNING: submission.warning_count,
        RecordStatus.FAILURE: submission.failure_count,
    }
    return {
        "submission": submission,
        "progress": selectors.submission_progress(submission),
        "records": records,
        "outcome": outcome,
        "outcomes": [(status, counts[status]) for status in RecordStatus.values],
    }


@for_organisation(read=ANY_ROLE)
def submission_detail(
    request: HttpRequest, organisation: Organisation, context: dict, submission_id: int
) -> HttpResponse:
    submission = _submission(organisation, submission_id)
    return render(
        request,
        "deposits/submission_detail.html",
        {
            **context,
            **_detail_context(request, submission),
            "problems": selectors.submission_file_problems(submission),
            "sent_by": _sent_by(submission),
            "tab": "deposits",
        },
    )


@for_organisation(read=ANY_ROLE)
def submission_live(
    request: HttpRequest, organisation: Organisation, context: dict, submission_id: int
) -> HttpResponse:
    """The live part of the submission page, polled by htmx while the file waits or runs.
    Once the submission is finished, htmx is told to reload the whole page (its facts, file
    problems and log are then final), and the reloaded page no longer polls."""
    submission = _submission(organisation, submission_id)
    response = render(
        request, "deposits/partials/live.html", {**context, **_detail_context(request, submission)}
    )
    response["Cache-Control"] = "no-store"
    if submission.is_finished:
        response["HX-Refresh"] = "true"
    return response


def _sent_by(submission: Submission) -> str:
    if submission.user is not None and submission.credential is not None:
        return f"{submission.user.email} with the role login {submission.credential.username}"
    if submission.user is not None:
        return submission.user.email
    if submission.credential is not None:
        credential = submission.credential
        return credential.username or f"API token dpt_{credential.token_prefix}_…"
    return "staff"


@for_organisation(read=ANY_ROLE)
def submission_log_xml(
    request: HttpRequest, organisation: Organisation, context: dict, submission_id: int
) -> HttpResponse:
    submission = _submission(organisation, submission_id)
    return HttpResponse(diagnostic_xml(submission), content_type="application/xml; charset=utf-8")


@for_organisation(read=ANY_ROLE)
def submission_log_json(
    request: HttpRequest, organisation: Organisation, context: dict, submission_id: int
) -> HttpResponse:
    return JsonResponse(diagnostic_json(_submission(organisation, submission_id)))


@for_organisation(read=ANY_ROLE)
def submission_status(
    request: HttpRequest, organisation: Organisation, context: dict, submission_id: int
) -> HttpResponse:
    """The small JSON the submission page polls while the file waits or runs."""
    submission = _submission(organisation, submission_id)
    progress = selectors.submission_progress(submission)
    progress["page"] = reverse(
        "deposits:detail", kwargs={"member_id": organisation.member_id, "submission_id": submission.pk}
    )
    response = JsonResponse(progress)
    response["Cache-Control"] = "no-store"
    return response


@for_organisation(read=ANY_ROLE)
def submission_file(
    request: HttpRequest, organisation: Organisation, context: dict, submission_id: int
) -> HttpResponse:
    return _original_file(_submission(organisation, submission_id))
