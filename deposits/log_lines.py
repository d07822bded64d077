"""The per-record lines of a submission log: Success ("Successfully added/updated"), Warning
(added with conflict, unknown reference DOIs, what the parser noticed) or Failure (the
rules' problems), each naming the DOI as the member wrote it."""

from __future__ import annotations

from deposits.errors import DepositProblem, ErrorCode, problem
from deposits.models import RecordStatus, Submission, SubmissionRecord
from deposits.records import ParsedRecord
from linking import selectors as registry
from linking.conflicts import ConflictOutcome


def _references_of(item: ParsedRecord) -> list:
    if item.record is not None:
        return item.record.references
    if item.resource is not None and "references" in item.resource.replace:
        return item.resource.parts.references
    return []


def unknown_reference_dois(items: list[ParsedRecord]) -> set[str]:
    """Reference DOIs of these records that are not registered (after this batch's own)."""
    from linking.matching.selectors import unknown_reference_dois

    dois = {r.doi for item in items for r in _references_of(item) if r.doi}
    return unknown_reference_dois(dois) if dois else set()


def reference_warnings(item: ParsedRecord, unknown: set[str]) -> list[DepositProblem]:
    from linking.matching.normalise import doi_normalise

    cited = [r for r in _references_of(item) if r.doi and doi_normalise(r.doi) in unknown]
    if not cited:
        return []
    return [
        problem(
            ErrorCode.REFERENCE_DOI_UNKNOWN,
            line=item.line,
            doi=item.doi_as_written,
            keys=", ".join(r.key for r in cited[:10])
            + (f" and {len(cited) - 10} more" if len(cited) > 10 else ""),
            dois=", ".join(r.doi for r in cited[:10]) + (", ..." if len(cited) > 10 else ""),
        )
    ]


def log_row(
    submission: Submission,
    position: int,
    item: ParsedRecord,
    problems: list[DepositProblem] | None,
    stored_before: dict,
    conflict: ConflictOutcome | None = None,
) -> SubmissionRecord:
    doi = item.doi_as_written.strip()
    if problems:
        first = problems[0]
        return SubmissionRecord(
            submission=submission,
            position=position,
            doi=doi[:2048],
            status=RecordStatus.FAILURE,
            code=first.code,
            message=" ".join(p.message for p in problems),
            details={"problems": [p.as_dict() for p in problems]},
        )
    earlier = stored_before.get(doi.lower())
    added = earlier is None or earlier.last_submission_id == submission.pk and _added_here(doi, submission)
    warnings = [p for p in item.problems if not p.is_error]
    details: dict = {}
    if conflict is not None and conflict.conflict_ids:
        warnings.insert(0, _conflict_problem(item, conflict))
        details["conflict_ids"] = conflict.conflict_ids
        details["dois_in_conflict"] = conflict.dois_in_conflict
    message = "Added with conflict" if conflict is not None and conflict.conflict_ids else ""
    message = message or ("Successfully added" if added else "Successfully updated")
    if conflict is not None and conflict.resolved_ids:
        details["resolved_conflict_ids"] = conflict.resolved_ids
        message += f" (resolved conflict {', '.join(map(str, conflict.resolved_ids))})"
    if warnings:
        message += ". " + " ".join(p.message for p in warnings)
        details["problems"] = [p.as_dict() for p in warnings]
    return SubmissionRecord(
        submission=submission,
        position=position,
        doi=doi[:2048],
        status=RecordStatus.WARNING if warnings else RecordStatus.SUCCESS,
        code=warnings[0].code if warnings else "",
        message=message,
        details=details,
    )


def _conflict_problem(item: ParsedRecord, conflict: ConflictOutcome) -> DepositProblem:
    record = item.record
    container = record.container if record is not None else None
    if container is not None and container.titles and (record.first_page or record.article_number):
        place = [
            f"{name} {value}"
            for name, value in (
                ("volume", record.volume),
                ("issue", record.issue),
                ("first page", record.first_page),
                ("article number", record.article_number if not record.first_page else ""),
            )
            if value
        ]
        basis = ", ".join([f"{container.kind} '{container.titles[0]}'", *place, record.type])
    else:
        basis = "title, year, first author and container"
    return problem(
        ErrorCode.ADDED_WITH_CONFLICT,
        line=item.line,
        doi=item.doi_as_written,
        basis=basis,
        others=", ".join(conflict.dois_in_conflict),
        ids=", ".join(map(str, conflict.conflict_ids)),
    )


def _added_here(doi: str, submission: Submission) -> bool:
    """On a retry, a DOI this submission registered the first time was added if it did
    not exist before the submission arrived."""
    work = registry.work_by_doi(doi)
    return work is not None and work.created_at >= submission.created_at
