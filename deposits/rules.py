"""Business rules a deposit must pass beyond its schema: who may deposit under which prefix
(file level), and per record: DOI syntax, duplicates, timestamps, ownership, check digits.

Pure checks: they read the registry through selectors and return problems; they write
nothing. One bad record never stops the others."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from accounts.models import Organisation, Prefix
from deposits.errors import DepositProblem, ErrorCode, problem
from deposits.records import ParsedRecord
from linking import selectors as registry
from linking.records import WorkRecord
from linking.services import normalise_identifier

DOI_PATTERN = re.compile(r"^10\.[0-9]{4,9}/\S.*$", re.DOTALL)
DOI_SUFFIX_ALLOWED = re.compile(r"[A-Za-z0-9\-._;()/]")
DOI_MAX_LENGTH = 2048


def doi_prefix(doi: str) -> str:
    return doi.split("/", 1)[0].lower()


# Check digits ----------------------------------------------------------------------------


def issn_check_digit(digits7: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits7, range(8, 1, -1), strict=True))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def issn_problem(value: str) -> str | None:
    """None when the ISSN is valid, else the check digit it should have ('?' for bad form)."""
    compact = value.replace("-", "").strip().upper()
    if not re.fullmatch(r"\d{7}[\dX]", compact):
        return "?"
    expected = issn_check_digit(compact[:7])
    return None if compact[7] == expected else expected


def isbn_problem(value: str) -> str | None:
    """None when the ISBN (10 or 13) is valid, else the reason it is not."""
    compact = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{9}[\dX]", compact):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(compact))
        return None if total % 11 == 0 else "its check digit does not match"
    if re.fullmatch(r"97[89]\d{10}", compact):
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(compact))
        return None if total % 10 == 0 else "its check digit does not match"
    return "an ISBN has 10 or 13 digits (13 starting with 978 or 979)"


def orcid_check_digit(base15: str) -> str:
    total = 0
    for digit in base15:
        total = (total + int(digit)) * 2
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def orcid_problem(orcid: str) -> str | None:
    """None when the ORCID iD is valid, else the last character it should have ('?' for bad form)."""
    match = re.search(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", orcid.strip().upper())
    if not match:
        return "?"
    digits = "".join(match.groups())
    expected = orcid_check_digit(digits[:15])
    return None if digits[15] == expected else expected


# DOI syntax --------------------------------------------------------------------------------


def doi_problem(doi: str, *, line: int | None) -> DepositProblem | None:
    if not doi or len(doi) > DOI_MAX_LENGTH or not DOI_PATTERN.match(doi):
        return problem(ErrorCode.DOI_SYNTAX, line=line, doi=doi)
    suffix = doi.split("/", 1)[1]
    bad = sorted({c for c in suffix if not DOI_SUFFIX_ALLOWED.fullmatch(c)})
    if bad:
        shown = ", ".join(repr(c) if c.strip() else f"U+{ord(c):04X} (space)" for c in bad)
        return problem(ErrorCode.DOI_CHARACTERS, line=line, doi=doi, characters=shown)
    return None


# File level ----------------------------------------------------------------------------------


def file_problems(
    *, prefixes: set[str], has_records: bool, allowed: list[Prefix], login: str
) -> list[DepositProblem]:
    """One prefix per file, and one the depositor may use. `prefixes`: those of the file's
    record DOIs (lower case)."""
    if not has_records:
        return [problem(ErrorCode.NO_RECORDS)]
    prefixes = sorted(prefixes)
    if len(prefixes) > 1:
        return [problem(ErrorCode.MIXED_PREFIXES, prefixes=", ".join(prefixes))]
    allowed_values = {p.value for p in allowed}
    if prefixes and prefixes[0] not in allowed_values:
        owner = Prefix.objects.filter(value=prefixes[0]).select_related("organisation").first()
        return [
            problem(
                ErrorCode.PREFIX_NOT_ALLOWED,
                login=login,
                prefix=prefixes[0],
                owner=owner.organisation.name if owner and owner.organisation else "no member",
                allowed=", ".join(sorted(allowed_values)) or "none assigned yet",
            )
        ]
    return []


# Per record ---------------------------------------------------------------------------------


@dataclass
class RecordContext:
    """What the per-record rules need to know about the deposit as a whole."""

    organisation: Organisation
    may_act_for: set[int]  # organisation ids whose DOIs this depositor may update
    timestamp: int | None
    submission_id: int
    seen: dict[str, int | None] = field(default_factory=dict)  # DOI -> line of first occurrence
    title_holders: dict[frozenset, dict] = field(default_factory=dict)  # identifiers -> holders, per file

    def holders(self, identifiers: frozenset) -> dict:
        """Title records already holding these identifiers; articles of one journal ask once."""
        if identifiers not in self.title_holders:
            self.title_holders[identifiers] = registry.title_owners(identifiers)
        return self.title_holders[identifiers]


def _identifier_problems(
    record: WorkRecord, line: int | None, context: RecordContext
) -> list[DepositProblem]:
    found: list[DepositProblem] = []
    container = record.container
    issns = [i["value"] for i in (container.issns if container else [])]
    isbns = [i["value"] for i in (container.isbns if container else [])] + [i["value"] for i in record.isbns]
    for value in issns:
        expected = issn_problem(value)
        if expected:
            found.append(
                problem(
                    ErrorCode.ISSN_INVALID,
                    line=line,
                    doi=record.doi,
                    value=value,
                    expected=expected if expected != "?" else "a digit or X after 7 digits",
                )
            )
    for value in isbns:
        reason = isbn_problem(value)
        if reason:
            found.append(
                problem(ErrorCode.ISBN_INVALID, line=line, doi=record.doi, value=value, reason=reason)
            )
    for person in record.contributors:
        if person.orcid:
            expected = orcid_problem(person.orcid)
            if expected:
                name = (
                    " ".join(p for p in (person.given, person.family) if p) or person.name or "a contributor"
                )
                found.append(
                    problem(
                        ErrorCode.ORCID_INVALID,
                        line=line,
                        doi=record.doi,
                        value=person.orcid,
                        person=name,
                        expected=expected if expected != "?" else "16 digits (last may be X)",
                    )
                )
    if container and not found:
        as_written = {("issn", normalise_identifier(v)): v for v in issns}
        as_written |= {("isbn", normalise_identifier(v)): v for v in isbns}
        for (scheme, value), holder in context.holders(frozenset(as_written)).items():
            owner = holder.title.organisation
            if owner is not None and owner.pk not in context.may_act_for:
                found.append(
                    problem(
                        ErrorCode.TITLE_OWNED_BY_OTHER,
                        line=line,
                        doi=record.doi,
                        scheme=scheme.upper(),
                        value=as_written[(scheme, value)],
                        owner=owner.name,
                        title=holder.title.title,
                    )
                )
    return found


def record_problems(
    parsed: list[ParsedRecord], context: RecordContext, stored: dict[str, registry.StoredWork]
) -> dict[int, list[DepositProblem]]:
    """Problems per record index, given what the registry holds for their DOIs
    (`registry.works_stored`). Records without problems may be registered."""
    names = dict(
        Organisation.objects.filter(pk__in={s.organisation_id for s in stored.values()}).values_list(
            "pk", "name"
        )
    )
    outcome: dict[int, list[DepositProblem]] = {}
    for index, item in enumerate(parsed):
        doi = item.doi.strip().lower()
        found = [p for p in item.problems if p.is_error]
        # A resource-only file may name one DOI once per part (URLs, licences, ...).
        seen_key = f"{doi} {sorted(item.resource.replace)}" if item.resource is not None else doi
        if found and not item.doi:  # the parser already said why this record has no DOI
            outcome[index] = found
            continue
        syntax = doi_problem(item.doi.strip(), line=item.line)
        if syntax:
            found.append(syntax)
        elif seen_key in context.seen:
            found.append(
                problem(
                    ErrorCode.DUPLICATE_IN_FILE,
                    line=item.line,
                    doi=item.doi,
                    first_line=context.seen[seen_key],
                )
            )
        else:
            context.seen[seen_key] = item.line
            existing = stored.get(doi)
            if item.resource is not None and existing is None:
                found.append(problem(ErrorCode.RESOURCE_DOI_UNKNOWN, line=item.line, doi=doi))
            if existing is not None:
                if existing.organisation_id not in context.may_act_for:
                    found.append(
                        problem(
                            ErrorCode.DOI_OWNED_BY_OTHER,
                            line=item.line,
                            doi=doi,
                            owner=names.get(existing.organisation_id, "another member"),
                        )
                    )
                elif (
                    item.record is not None
                    and existing.last_submission_id != context.submission_id
                    and existing.deposit_timestamp is not None
                    and context.timestamp is not None
                    and context.timestamp <= existing.deposit_timestamp
                ):
                    found.append(
                        problem(
                            ErrorCode.TIMESTAMP_NOT_NEWER,
                            line=item.line,
                            doi=doi,
                            timestamp=context.timestamp,
                            stored=existing.deposit_timestamp,
                        )
                    )
            if item.record is not None:
                found.extend(_identifier_problems(item.record, item.line, context))
        if found:
            outcome[index] = found
    return outcome
