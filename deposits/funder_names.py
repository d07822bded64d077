"""Funders deposited by name only: matched to the funder registry before registration, so
the stored record carries the id, and reported in the log either way."""

from __future__ import annotations

from deposits.errors import DepositProblem, ErrorCode, problem
from deposits.records import ParsedRecord
from linking.funders import funder_match_name


def funders_match_names(items: list[ParsedRecord]) -> dict[int, list[DepositProblem]]:
    """Fill in the registry id of every funding entry that names a funder without an id.
    Returns the warnings per item (by position in `items`)."""
    found: dict[str, object] = {}
    warnings: dict[int, list[DepositProblem]] = {}
    for position, item in enumerate(items):
        funding = item.record.funding if item.record is not None else []
        for entry in funding:
            if entry.funder_id or not entry.name.strip():
                continue
            if entry.name not in found:
                found[entry.name] = funder_match_name(entry.name)
            funder = found[entry.name]
            if funder is not None:
                entry.funder_id, entry.id_type = funder.doi, "DOI"
                warning = problem(
                    ErrorCode.FUNDER_NAME_MATCHED,
                    line=item.line,
                    doi=item.doi_as_written,
                    name=entry.name,
                    funder=funder.name,
                    funder_doi=funder.doi,
                )
            else:
                warning = problem(
                    ErrorCode.FUNDER_NAME_UNKNOWN, line=item.line, doi=item.doi_as_written, name=entry.name
                )
            warnings.setdefault(position, []).append(warning)
    return warnings
