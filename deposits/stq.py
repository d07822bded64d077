"""Deposit the references of a Simple Text Query against a DOI the member owns.

The matched list becomes a references-only resource deposit (`doi_citations`, schema
doi_resources 4.4.2) that goes down the same road as an uploaded file, so it is
validated, logged and registered like any other; it replaces the DOI's reference list."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from lxml import etree

from accounts.models import Organisation
from accounts.selectors import has_any_role, organisations_for_user, prefixes_depositable_by, roles_for
from accounts.views import DEPOSITING
from deposits.models import Channel, Operation
from deposits.services import IncomingFile, SubmissionRefused
from deposits.uploads import receive
from linking.matching.matcher import reference_match
from linking.matching.normalise import doi_normalise
from linking.matching.stq import (
    INLINE_STQ_REFERENCES,
    MAX_INPUT_CHARS,
    MAX_STQ_REFERENCES,
    split_references,
    stq_job_find,
)
from linking.models import StqJobStatus, Work

RESOURCES_NS = "http://www.crossref.org/doi_resources_schema/4.4.2"
SCHEMA_LOCATION = f"{RESOURCES_NS} http://www.crossref.org/schemas/doi_resources4.4.2.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def references_deposit_xml(
    *, parent_doi: str, references: list[str], email: str, name: str, dois: list[str] | None = None
) -> bytes:
    """A doi_batch with one doi_citations block: each reference as its string, with the
    DOI it matched (when it did). `dois` are matches already made (one per reference, ""
    for none); without them each reference is matched here."""

    def sub(parent, tag, text=None):
        element = etree.SubElement(parent, f"{{{RESOURCES_NS}}}{tag}")
        if text is not None:
            element.text = text
        return element

    root = etree.Element(
        f"{{{RESOURCES_NS}}}doi_batch", nsmap={None: RESOURCES_NS, "xsi": XSI}, version="4.4.2"
    )
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    head = sub(root, "head")
    sub(head, "doi_batch_id", f"stq-{timezone.now():%Y%m%d%H%M%S%f}")
    depositor = sub(head, "depositor")
    sub(depositor, "depositor_name", name[:130] or "Simple Text Query")
    sub(depositor, "email_address", email)
    block = sub(sub(root, "body"), "doi_citations")
    sub(block, "doi", parent_doi)
    citations = sub(block, "citation_list")
    if dois is None:
        dois = [match.doi if (match := reference_match(r)) else "" for r in references]
    for number, (reference, doi) in enumerate(zip(references, dois, strict=True), start=1):
        citation = etree.SubElement(citations, f"{{{RESOURCES_NS}}}citation", key=f"ref{number}")
        if doi:
            sub(citation, "doi", doi)
        sub(citation, "unstructured_citation", reference)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _depositing_organisation(user, prefix: str) -> Organisation | None:
    """An organisation the user deposits for that may deposit under `prefix`."""
    for organisation in organisations_for_user(user):
        if not has_any_role(roles_for(user=user, organisation=organisation), DEPOSITING):
            continue
        if prefixes_depositable_by(organisation).filter(value__iexact=prefix).exists():
            return organisation
    return None


def _matched_dois(job_id: str, references: list[str]) -> list[str] | None:
    """The DOIs a finished Simple Text Query job matched for exactly these references.
    A long list without one is deposited without DOIs: the matching worker links its
    references after registration, so the request never matches a thousand of them."""
    try:
        job = stq_job_find(public_id=uuid.UUID(job_id)) if job_id else None
    except ValueError:
        job = None
    if job and job.status == StqJobStatus.DONE and [r["reference"] for r in job.results] == references:
        return [r["doi"] or "" for r in job.results]
    return None if len(references) <= INLINE_STQ_REFERENCES else [""] * len(references)


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "matching/stq_deposit_refused.html", {"message": message}, status=status)


@login_required
@require_POST
def stq_deposit(request: HttpRequest) -> HttpResponse:
    parent_doi = doi_normalise(request.POST.get("parent_doi", ""))
    references = split_references(request.POST.get("references", ""))
    if not parent_doi.startswith("10.") or "/" not in parent_doi:
        return _refuse(request, "Give the DOI of the citing work, such as 10.5555/abc.1.", 400)
    if not references:
        return _refuse(request, "There are no references to deposit.", 400)
    if len(references) > MAX_STQ_REFERENCES or any(len(r) > MAX_INPUT_CHARS for r in references):
        return _refuse(
            request, f"At most {MAX_STQ_REFERENCES} references of {MAX_INPUT_CHARS} characters.", 400
        )
    if not Work.objects.filter(doi=parent_doi).exists():
        return _refuse(
            request, f"{parent_doi} is not registered; references can only be added to a registered DOI.", 400
        )
    organisation = _depositing_organisation(request.user, parent_doi.split("/", 1)[0])
    if organisation is None:
        return _refuse(
            request,
            f"{parent_doi} is not under a prefix you may deposit for (you need the admin or depositor role).",
            403,
        )
    content = references_deposit_xml(
        parent_doi=parent_doi,
        references=references,
        email=request.user.email,
        name=organisation.name,
        dois=_matched_dois(request.POST.get("job", ""), references),
    )
    try:
        submission = receive(
            organisation=organisation,
            upload=IncomingFile(name=f"references-{parent_doi.replace('/', '_')}.xml", content=content),
            channel=Channel.FORM,
            operation=Operation.RESOURCES,
            user=request.user,
        )
    except SubmissionRefused as exc:
        return _refuse(request, str(exc), getattr(exc, "status", 400))
    messages.success(
        request, f"{len(references)} references for {parent_doi} were queued as submission {submission.pk}."
    )
    return redirect("deposits:detail", member_id=organisation.member_id, submission_id=submission.pk)
