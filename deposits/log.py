"""The submission log in its outside shapes: Crossref's `doi_batch_diagnostic` XML (what
publishing systems poll for) and JSON. The HTML page renders the same selectors."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from lxml import etree

from deposits.models import FINISHED, Submission, SubmissionStatus

# Root status values as the real service reports them while a file waits or runs.
_ROOT_STATUS = {
    SubmissionStatus.QUEUED: "queued",
    SubmissionStatus.PROCESSING: "in_process",
}
_RECORDS_PLACE = "record_diagnostics"  # stands in the skeleton where the records go
_CHUNK = 1000


def _text(parent: etree._Element, tag: str, value: Any) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = "" if value is None else str(value)
    return element


def diagnostic_xml(submission: Submission) -> bytes:
    """The whole log. The records (one per DOI, 35,000 in a 200 MB file) are read and
    serialised a chunk at a time, never held all at once as rows and as one tree."""
    root = etree.Element(
        "doi_batch_diagnostic",
        status=_ROOT_STATUS.get(submission.status, "completed"),
        sp=settings.SITE_URL.split("//")[-1].split("/")[0],
    )
    _text(root, "submission_id", submission.pk)
    _text(root, "batch_id", submission.batch_id)
    for problem in submission.problems:
        failure = problem.get("severity") == "error"
        diagnostic = etree.SubElement(root, "record_diagnostic", status="Failure" if failure else "Warning")
        _text(diagnostic, "doi", problem.get("doi") or "")
        _text(diagnostic, "msg", problem["message"])
        _text(diagnostic, "code", problem["code"])
    etree.SubElement(root, _RECORDS_PLACE)
    batch = etree.SubElement(root, "batch_data")
    file_failed = submission.status == SubmissionStatus.FAILED and not submission.record_count
    _text(batch, "record_count", submission.record_count or (1 if file_failed else 0))
    _text(batch, "success_count", submission.success_count)
    _text(batch, "warning_count", submission.warning_count)
    _text(batch, "failure_count", submission.failure_count or (1 if file_failed else 0))
    skeleton = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    before, after = skeleton.split(f"  <{_RECORDS_PLACE}/>\n".encode(), 1)
    log = io.BytesIO()
    log.write(before)
    for chunk in _record_diagnostics(submission):
        log.write(chunk)
    log.write(after)
    return log.getvalue()


def _record_diagnostics(submission: Submission) -> Iterator[bytes]:
    """The records' <record_diagnostic> elements, serialised in chunks under a stand-in root:
    at the same depth as in the whole document, so indented the same."""
    rows = submission.records.order_by("position").values_list("doi", "status", "code", "message", "details")
    holder = etree.Element("chunk")
    for doi, status, code, message, details in rows.iterator(chunk_size=_CHUNK):
        diagnostic = etree.SubElement(holder, "record_diagnostic", status=status)
        _text(diagnostic, "doi", doi)
        _text(diagnostic, "msg", message)
        if code:
            _text(diagnostic, "code", code)
        _conflict_elements(diagnostic, details or {})
        if len(holder) == _CHUNK:
            yield _children_serialised(holder)
            holder = etree.Element("chunk")
    if len(holder):
        yield _children_serialised(holder)


def _children_serialised(holder: etree._Element) -> bytes:
    text = etree.tostring(holder, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return text[len(b"<chunk>\n") : -len(b"</chunk>\n")]


def _conflict_elements(diagnostic: etree._Element, details: dict[str, Any]) -> None:
    """conflict_id and dois_in_conflict for a record added with conflict, and
    resolved_conflict_ids for one whose re-deposit closed conflicts (the real log's shape)."""
    if details.get("conflict_ids"):
        _text(diagnostic, "conflict_id", ",".join(map(str, details["conflict_ids"])))
        others = etree.SubElement(diagnostic, "dois_in_conflict")
        for doi in details.get("dois_in_conflict", []):
            _text(others, "doi", doi)
    if details.get("resolved_conflict_ids"):
        _text(diagnostic, "resolved_conflict_ids", ",".join(map(str, details["resolved_conflict_ids"])))


def diagnostic_json(submission: Submission) -> dict[str, Any]:
    return {
        "submission_id": submission.pk,
        "file_name": submission.file_name,
        "batch_id": submission.batch_id,
        "status": submission.status,
        "finished": submission.status in FINISHED,
        "schema": submission.schema,
        "received": submission.created_at.isoformat(),
        "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
        "counts": {
            "records": submission.record_count,
            "success": submission.success_count,
            "warning": submission.warning_count,
            "failure": submission.failure_count,
        },
        "file_problems": submission.problems,
        "records": [
            {"doi": r.doi, "status": r.status, "code": r.code, "message": r.message, "details": r.details}
            for r in submission.records.all()
        ],
    }
