"""The error catalogue: stable codes, and messages that always format."""

from __future__ import annotations

import json
import string

import pytest

from deposits.errors import CATALOGUE, DepositProblem, ErrorCode, Severity, human_size, problem


def _fields(template: str) -> set[str]:
    return {name.split("!")[0].split(".")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_has_an_entry_and_a_stable_value():
    assert set(CATALOGUE) == set(ErrorCode)
    for code in ErrorCode:
        assert code.value == code.name  # the value is what logs and the API carry


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_template_formats(code):
    entry = CATALOGUE[code]
    params = {name: f"<{name}>" for name in _fields(entry.template) if name not in ("line", "path")}
    made = problem(code, line=12, path="/doi_batch/head", **params)
    assert isinstance(made, DepositProblem)
    assert "{" not in made.message.replace("{'", "")  # no placeholder left unfilled
    assert made.severity in (Severity.ERROR, Severity.WARNING)
    if "line" in _fields(entry.template):
        assert "12" in made.message


def test_only_the_fallback_a_corrected_operation_parser_notes_and_conflicts_are_warnings():
    warnings = {code for code, entry in CATALOGUE.items() if entry.severity is Severity.WARNING}
    assert warnings == {
        ErrorCode.SCHEMA_FALLBACK,
        ErrorCode.OPERATION_MISMATCH,
        # deposits/xml/parse/: the record is kept, but a person should look at it.
        ErrorCode.DATE_NOT_CALENDAR,
        ErrorCode.BODY_ELEMENT_UNKNOWN,
        ErrorCode.RECORD_NOT_UNDERSTOOD,
        ErrorCode.RESOURCE_PART_NOT_STORED,
        # After registration: stored, with something to look at.
        ErrorCode.ADDED_WITH_CONFLICT,
        ErrorCode.REFERENCE_DOI_UNKNOWN,
        # Before registration: a funder named without an id, matched to the registry or not.
        ErrorCode.FUNDER_NAME_MATCHED,
        ErrorCode.FUNDER_NAME_UNKNOWN,
    }


def test_a_problem_serialises_for_the_api():
    made = problem(
        ErrorCode.SCHEMA_INVALID,
        line=7,
        path="/doi_batch/head/depositor/depositor_name",
        doi="10.5555/x",
        detail="<depositor_name> is empty.",
        schema="5.3.1",
    )
    data = json.loads(json.dumps(made.as_dict()))
    assert data["code"] == "SCHEMA_INVALID"
    assert data["severity"] == "error"
    assert data["line"] == 7 and data["doi"] == "10.5555/x"
    assert data["message"].startswith(
        "Line 7, /doi_batch/head/depositor/depositor_name: <depositor_name> is empty."
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [(250 * 1024 * 1024, "250 MiB"), (1536, "1.5 KiB"), (64, "64 bytes"), (1 << 30, "1 GiB")],
)
def test_human_size(size, text):
    assert human_size(size) == text
