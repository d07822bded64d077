"""Reading a stored deposit for processing: validation, head, kind, the DOI prefixes it uses
and its records. Files above DEPOSIT_STREAM_BYTES are read in two streaming passes
(deposits/xml/stream.py) and their records come from a generator; smaller ones as one tree,
which gives the most precise messages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from deposits.errors import ErrorCode, problem
from deposits.models import Submission
from deposits.records import Head, ParsedRecord
from deposits.rules import doi_prefix
from deposits.xml.schemas import RootKind
from deposits.xml.validate import ValidationResult


@dataclass
class Reading:
    """A stored deposit as processing reads it: validation, head, kind, the DOI prefixes it
    uses, and its records (a list, or a generator when streamed)."""

    result: ValidationResult
    head: Head = field(default_factory=Head)
    kind: str = ""
    prefixes: set[str] = field(default_factory=set)
    has_records: bool = False
    records: Iterable[ParsedRecord] = ()


def _stored_path(submission: Submission) -> Path | None:
    try:
        return Path(submission.file.path)
    except NotImplementedError:  # storage without local files: read it whole
        return None


def deposit_read(submission: Submission) -> Reading:
    """Files above DEPOSIT_STREAM_BYTES are validated and read in two streaming passes
    (deposits/xml/stream.py); smaller ones as one tree, which gives the most precise messages."""
    from deposits.xml.parse import parse_deposit_tree
    from deposits.xml.stream import stream_head, stream_records, stream_validate
    from deposits.xml.validate import validate_deposit

    path = _stored_path(submission)
    if path is not None and submission.size > getattr(settings, "DEPOSIT_STREAM_BYTES", 16 * 1024 * 1024):
        streamed = stream_validate(path)
        if streamed is not None:
            result = streamed.result
            if result.errors:
                return Reading(result)
            return Reading(
                result,
                head=stream_head(path),
                kind=result.kind.value,
                prefixes=streamed.prefixes,
                has_records=streamed.doi_count > 0,
                records=stream_records(path, kind=result.kind.value, namespace=result.namespace),
            )
    with submission.file.open("rb") as handle:
        result = validate_deposit(handle.read())
    if not result.errors and result.kind is RootKind.QUERY:
        line = result.tree.getroot().sourceline
        result.problems.append(problem(ErrorCode.QUERY_NOT_DEPOSIT, line=line, path="/query_batch"))
    if result.errors:
        return Reading(result)
    parsed = parse_deposit_tree(result.tree)
    result.tree = None  # the records hold what is needed
    return Reading(
        result,
        head=parsed.head,
        kind=parsed.kind,
        prefixes={doi_prefix(r.doi) for r in parsed.records if r.doi},
        has_records=bool(parsed.records),
        records=parsed.records,
    )
