"""The deposit error catalogue: stable codes, each with a message a depositor can act on.

The same codes travel to the HTML and XML submission logs, the API and e-mail, so they
never change once released (add new ones instead). Every message says where (line and
element path), what was expected, and what to do about it; the raw validator text is
only ever one part of a message, never the whole of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the file (or record) is refused
    WARNING = "warning"  # accepted, but a person should look at it


class ErrorCode(StrEnum):
    # File level, before parsing.
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    # Parsing.
    NOT_XML = "NOT_XML"
    NOT_WELL_FORMED = "NOT_WELL_FORMED"
    DTD_FORBIDDEN = "DTD_FORBIDDEN"
    ENTITY_FORBIDDEN = "ENTITY_FORBIDDEN"
    # Choosing the schema.
    UNKNOWN_ROOT = "UNKNOWN_ROOT"
    UNKNOWN_NAMESPACE = "UNKNOWN_NAMESPACE"
    QUERY_NOT_DEPOSIT = "QUERY_NOT_DEPOSIT"
    SCHEMA_NOT_INSTALLED = "SCHEMA_NOT_INSTALLED"
    SCHEMA_UNUSABLE = "SCHEMA_UNUSABLE"
    SCHEMA_FALLBACK = "SCHEMA_FALLBACK"
    # Validation.
    SCHEMA_INVALID = "SCHEMA_INVALID"
    TOO_MANY_ERRORS = "TOO_MANY_ERRORS"
    # The XSD 1.1 assertions of schema 5.5.0, enforced in code (deposits/xml/credit.py).
    ROLE_NOT_IN_VOCAB = "ROLE_NOT_IN_VOCAB"
    CONTRIBUTOR_ROLE_MISSING = "CONTRIBUTOR_ROLE_MISSING"
    # Reading records out of a valid file (deposits/xml/parse/).
    RECORD_DOI_MISSING = "RECORD_DOI_MISSING"
    DATE_NOT_CALENDAR = "DATE_NOT_CALENDAR"
    BODY_ELEMENT_UNKNOWN = "BODY_ELEMENT_UNKNOWN"
    RECORD_NOT_UNDERSTOOD = "RECORD_NOT_UNDERSTOOD"
    RESOURCE_PART_NOT_STORED = "RESOURCE_PART_NOT_STORED"
    # File level, after parsing: who may deposit what.
    NO_RECORDS = "NO_RECORDS"
    MIXED_PREFIXES = "MIXED_PREFIXES"
    PREFIX_NOT_ALLOWED = "PREFIX_NOT_ALLOWED"
    ORGANISATION_INACTIVE = "ORGANISATION_INACTIVE"
    OPERATION_MISMATCH = "OPERATION_MISMATCH"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    PROCESSING_ABANDONED = "PROCESSING_ABANDONED"
    # Per record (deposits/rules.py): one bad record never stops the others.
    DOI_SYNTAX = "DOI_SYNTAX"
    DOI_CHARACTERS = "DOI_CHARACTERS"
    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE"
    TIMESTAMP_NOT_NEWER = "TIMESTAMP_NOT_NEWER"
    DOI_OWNED_BY_OTHER = "DOI_OWNED_BY_OTHER"
    TITLE_OWNED_BY_OTHER = "TITLE_OWNED_BY_OTHER"
    ISSN_INVALID = "ISSN_INVALID"
    ISBN_INVALID = "ISBN_INVALID"
    ORCID_INVALID = "ORCID_INVALID"
    RESOURCE_DOI_UNKNOWN = "RESOURCE_DOI_UNKNOWN"
    # Per record, after registration: stored, but a person should look.
    ADDED_WITH_CONFLICT = "ADDED_WITH_CONFLICT"
    REFERENCE_DOI_UNKNOWN = "REFERENCE_DOI_UNKNOWN"
    FUNDER_NAME_MATCHED = "FUNDER_NAME_MATCHED"
    FUNDER_NAME_UNKNOWN = "FUNDER_NAME_UNKNOWN"


@dataclass(frozen=True)
class CatalogueEntry:
    severity: Severity
    title: str
    template: str


_NO_CHANGE = "Nothing in this file was processed; correct it and deposit the whole file again."

_FIX_RECORD = "The other records of the file were processed; deposit this one again once corrected."

CATALOGUE: dict[ErrorCode, CatalogueEntry] = {
    ErrorCode.NO_RECORDS: CatalogueEntry(
        Severity.ERROR,
        "No records",
        "The file is valid but holds no DOI to register (no doi_data/doi element in its body). "
        "Add the records to the body and deposit the file again.",
    ),
    ErrorCode.MIXED_PREFIXES: CatalogueEntry(
        Severity.ERROR,
        "More than one prefix",
        "All DOIs in one file must share one prefix; this file has {prefixes}. Split it into one "
        "file per prefix and deposit each. " + "Nothing in this file was processed.",
    ),
    ErrorCode.PREFIX_NOT_ALLOWED: CatalogueEntry(
        Severity.ERROR,
        "Prefix not allowed",
        "The credentials used ({login}) may not register DOIs under prefix {prefix}: it belongs to "
        "{owner}. Use the prefix of your own organisation ({allowed}), or the credentials of the "
        "organisation that owns {prefix}. Nothing in this file was processed.",
    ),
    ErrorCode.ORGANISATION_INACTIVE: CatalogueEntry(
        Severity.ERROR,
        "Account not active",
        "{organisation} is {status}, so its deposits are not processed. Contact support to "
        "reactivate the account, then deposit the file again.",
    ),
    ErrorCode.OPERATION_MISMATCH: CatalogueEntry(
        Severity.WARNING,
        "Operation corrected",
        "The file was sent with operation={sent} but it is a {kind} file; it was processed as "
        "operation={used}. Send operation={used} for such files next time.",
    ),
    ErrorCode.INTERNAL_ERROR: CatalogueEntry(
        Severity.ERROR,
        "Processing stopped",
        "Processing this submission stopped unexpectedly ({detail}). Your file is kept as "
        "received and staff have been told; records already reported as registered stay "
        "registered. You do not need to deposit it again unless support asks you to.",
    ),
    ErrorCode.DOI_SYNTAX: CatalogueEntry(
        Severity.ERROR,
        "DOI not valid",
        "Line {line}: '{doi}' is not a valid DOI. A DOI is '10.' and 4 to 9 digits, a '/', then "
        "a suffix of 1 to 2038 characters (at most 2048 in all). Correct the doi element in "
        "doi_data. " + _FIX_RECORD,
    ),
    ErrorCode.DOI_CHARACTERS: CatalogueEntry(
        Severity.ERROR,
        "DOI contains invalid characters",
        "Line {line}: DOI '{doi}' contains invalid characters ({characters}). A DOI suffix may "
        "only use a-z A-Z 0-9 - . _ ; ( ) /. Replace them (look-alike hyphens and spaces are a "
        "common cause). " + _FIX_RECORD,
    ),
    ErrorCode.DUPLICATE_IN_FILE: CatalogueEntry(
        Severity.ERROR,
        "DOI twice in the file",
        "Line {line}: DOI {doi} already appears earlier in this file (line {first_line}); only "
        "the first occurrence was processed. Remove the duplicate record, or give it its own DOI.",
    ),
    ErrorCode.TIMESTAMP_NOT_NEWER: CatalogueEntry(
        Severity.ERROR,
        "Timestamp not newer",
        "Record not processed because submitted version: {timestamp} is less or equal to "
        "previously submitted version {stored} (DOI match) for {doi}. Every update of a DOI "
        "needs a larger <timestamp> in the head (for example the current date and time as "
        "yyyymmddhhmmss).",
    ),
    ErrorCode.DOI_OWNED_BY_OTHER: CatalogueEntry(
        Severity.ERROR,
        "DOI owned by another member",
        "Line {line}: DOI {doi} is registered to {owner}; only its owner may update it. If the "
        "title has moved to you, ask support for a title transfer. " + _FIX_RECORD,
    ),
    ErrorCode.TITLE_OWNED_BY_OTHER: CatalogueEntry(
        Severity.ERROR,
        "Title owned by another member",
        'Line {line}: {scheme} "{value}" has already been assigned to a different publisher '
        "({owner}, title '{title}'). Check the {scheme} in the record; if the title moved to you, "
        "ask support for a title transfer. " + _FIX_RECORD,
    ),
    ErrorCode.ISSN_INVALID: CatalogueEntry(
        Severity.ERROR,
        "ISSN invalid",
        'Line {line}: ISSN "{value}" is invalid: its check digit should be {expected}. Copy the '
        "ISSN again from the ISSN portal or the printed journal. " + _FIX_RECORD,
    ),
    ErrorCode.ISBN_INVALID: CatalogueEntry(
        Severity.ERROR,
        "ISBN invalid",
        'Line {line}: ISBN "{value}" is invalid: {reason}. Copy the ISBN again from the book\'s '
        "imprint page. " + _FIX_RECORD,
    ),
    ErrorCode.ORCID_INVALID: CatalogueEntry(
        Severity.ERROR,
        "ORCID invalid",
        "Line {line}: ORCID {value} of {person} is invalid: its last character should be "
        "{expected}. Copy the ORCID iD from the person's ORCID record. " + _FIX_RECORD,
    ),
    ErrorCode.RESOURCE_DOI_UNKNOWN: CatalogueEntry(
        Severity.ERROR,
        "DOI not registered",
        "Line {line}: DOI {doi} is not registered, and a resource-only deposit only adds to "
        "registered DOIs. Register the DOI with a full metadata deposit first, then send this "
        "again.",
    ),
    ErrorCode.ADDED_WITH_CONFLICT: CatalogueEntry(
        Severity.WARNING,
        "Added with conflict",
        "DOI {doi} has the same citation metadata ({basis}) as {others} "
        "(conflict {ids}). If they are different works, deposit {doi} again with the metadata "
        "that tells them apart (pages, article number, issue, title); if they are the same work, "
        "mark one DOI primary and the other an alias in the conflict report.",
    ),
    ErrorCode.PROCESSING_ABANDONED: CatalogueEntry(
        Severity.ERROR,
        "Processing abandoned",
        "Processing of this file started {attempts} times and stopped each time without "
        "finishing (last progress {since}): the worker handling it was lost, for example "
        "restarted or out of memory. Records listed in this log as registered stay registered; "
        "the others were not processed. Deposit the file again (split into smaller files if it "
        "is large), or ask support to look at it.",
    ),
    ErrorCode.REFERENCE_DOI_UNKNOWN: CatalogueEntry(
        Severity.WARNING,
        "Reference DOI not registered",
        "DOI {doi} was registered, but its reference(s) {keys} cite DOI(s) {dois} that are not "
        "registered. Check them for typing errors; correct references with a resource-only "
        "deposit (doDOICitUpload).",
    ),
    ErrorCode.FUNDER_NAME_MATCHED: CatalogueEntry(
        Severity.WARNING,
        "Funder matched by name",
        "DOI {doi} names the funder '{name}' without an identifier; it was matched to {funder} "
        "({funder_doi}) in the funder registry and registered with that id. Deposit the funder's "
        "id (funder_identifier) to be sure of the match.",
    ),
    ErrorCode.FUNDER_NAME_UNKNOWN: CatalogueEntry(
        Severity.WARNING,
        "Funder not in the registry",
        "DOI {doi} names the funder '{name}' without an identifier, and no funder of that name is "
        "in the funder registry. Add the funder's Open Funder Registry DOI or ROR id "
        "(funder_identifier) so the funding can be linked.",
    ),
    ErrorCode.EMPTY_FILE: CatalogueEntry(
        Severity.ERROR,
        "Empty file",
        "The file is empty ({size_text}). Upload the deposit XML itself; if another system "
        "exported it for you, check that the export finished before uploading.",
    ),
    ErrorCode.FILE_TOO_LARGE: CatalogueEntry(
        Severity.ERROR,
        "File too large",
        "The file is larger than the {limit_text} limit for one deposit, so it was not read. "
        "Split the records over several doi_batch files, each under {limit_text}, and deposit "
        "them one by one.",
    ),
    ErrorCode.NOT_XML: CatalogueEntry(
        Severity.ERROR,
        "Not XML",
        "Line {line}: this file is not XML. It begins with {start!r}, where an XML document "
        "begins with '<' (an <?xml ...?> declaration or the <doi_batch> element). Upload the "
        "deposit XML file itself, not a PDF, Word, ZIP, spreadsheet or text file. " + _NO_CHANGE,
    ),
    ErrorCode.NOT_WELL_FORMED: CatalogueEntry(
        Severity.ERROR,
        "XML not well-formed",
        "Line {line}, column {column}: the XML is not well-formed: {detail}. Look at that place "
        "(and just before it) for a missing or mis-nested closing tag, an unescaped '&' or '<' "
        "(write &amp; and &lt;), a wrong encoding, or a file that was cut short.{hint} " + _NO_CHANGE,
    ),
    ErrorCode.DTD_FORBIDDEN: CatalogueEntry(
        Severity.ERROR,
        "DOCTYPE not allowed",
        "Line {line}: the file has a document type declaration (<!DOCTYPE {name} ...>). Crossref "
        "deposits never use a DTD (the doi_batch namespace selects the schema), and for safety "
        "files with one are refused without being read. Delete the <!DOCTYPE ...> declaration "
        "and deposit the file again.",
    ),
    ErrorCode.ENTITY_FORBIDDEN: CatalogueEntry(
        Severity.ERROR,
        "Entity declarations not allowed",
        "Line {line}: the file's <!DOCTYPE {name} ...> declares entities (<!ENTITY ...>). "
        "Entities can read files on the server or expand without limit, so such files are "
        "refused without being read and no entity is ever expanded. Delete the DOCTYPE and "
        "write the characters themselves (UTF-8) or numeric references such as &#233;.",
    ),
    ErrorCode.QUERY_NOT_DEPOSIT: CatalogueEntry(
        Severity.ERROR,
        "A query, not a deposit",
        "Line {line}: this file is a <query_batch> (a metadata query), not a deposit, so nothing "
        "was registered. Send queries to the query interface (operation=doQueryUpload); deposits "
        "start with <doi_batch>.",
    ),
    ErrorCode.UNKNOWN_ROOT: CatalogueEntry(
        Severity.ERROR,
        "Not a Crossref file",
        "Line {line}: the root element is <{root}>{namespace_text}. A Crossref file starts with "
        "<doi_batch> (deposit, resource-only or grant deposit) or <query_batch> (query) in a "
        'Crossref namespace, for example <doi_batch xmlns="http://www.crossref.org/schema/5.3.1" '
        'version="5.3.1">. Check that you uploaded the right file.',
    ),
    ErrorCode.UNKNOWN_NAMESPACE: CatalogueEntry(
        Severity.ERROR,
        "Unknown schema namespace",
        "Line {line}: <{root}> is in the namespace '{namespace}', which is not a Crossref schema "
        "namespace this service accepts, so there is no schema to check it against. Use one of "
        "http://www.crossref.org/schema/X (deposits, X = 4.3.0 to 5.5.0), "
        "http://www.crossref.org/doi_resources_schema/X (resource-only deposits), "
        "http://www.crossref.org/grant_id/X (grants) or http://www.crossref.org/qschema/2.0 "
        "(queries), with X the schema version your file follows.",
    ),
    ErrorCode.SCHEMA_NOT_INSTALLED: CatalogueEntry(
        Severity.ERROR,
        "Schema not available",
        "No {kind} schema is installed on this server for '{namespace}', nor any other version "
        "of that family, so the file could not be validated. This is a problem with the "
        "service, not with your file: please contact support quoting this message (staff: run "
        "scripts/fetch-schemas and set CROSSREF_SCHEMA_DIR).",
    ),
    ErrorCode.SCHEMA_UNUSABLE: CatalogueEntry(
        Severity.ERROR,
        "Schema could not be loaded",
        "The {kind} schema {version} ({schema}) could not be loaded on this server: {detail}. "
        "This is a problem with the service, not with your file: please contact support "
        "quoting this message.",
    ),
    ErrorCode.SCHEMA_FALLBACK: CatalogueEntry(
        Severity.WARNING,
        "Validated against another schema version",
        "The file declares {kind} schema version {version}, which this service does not have; it "
        "was validated against version {used} instead ({schema}). Check the version in the "
        "doi_batch namespace; if the file relies on something new in {version}, an error below "
        "may come from that difference.",
    ),
    ErrorCode.SCHEMA_INVALID: CatalogueEntry(
        Severity.ERROR,
        "Schema error",
        "Line {line}, {path}: {detail} (Crossref schema {schema}; the whole file was rejected, "
        "so deposit it again once corrected.)",
    ),
    ErrorCode.TOO_MANY_ERRORS: CatalogueEntry(
        Severity.ERROR,
        "More errors not listed",
        "{count} more schema errors were found and are not listed. Correct the errors above "
        "first (one mistake often causes several) and validate again.",
    ),
    ErrorCode.ROLE_NOT_IN_VOCAB: CatalogueEntry(
        Severity.ERROR,
        "Role type not in its vocabulary",
        "Line {line}, {path}: the role type '{type}' is not part of the '{vocab}' vocabulary "
        'named in vocab="{vocab}". With that vocabulary the type must be one of: {allowed}. '
        "Change type, or set vocab to the vocabulary the type belongs to{hint}.",
    ),
    ErrorCode.CONTRIBUTOR_ROLE_MISSING: CatalogueEntry(
        Severity.ERROR,
        "Contributor role missing",
        "Line {line}, {path}: this person has neither a contributor_role attribute nor a <role> "
        'element, and schema 5.5.0 requires one of them. Add contributor_role="author" (or '
        'editor, translator, ...) to <person_name>, or a <role vocab="crossref" type="author"/> '
        '(or a CRediT role, vocab="credit") after <surname>/<suffix>.',
    ),
    ErrorCode.RECORD_DOI_MISSING: CatalogueEntry(
        Severity.ERROR,
        "Record without a DOI",
        "Line {line}, {path}: this <{element}> has no DOI (its <doi> is missing or empty), so it "
        "could not be registered. Give it its DOI in <doi_data><doi>10.xxxx/...</doi></doi_data> "
        "(in a resource-only deposit, in the <doi> element that comes first) and deposit it "
        "again; the other records of the file are not affected.",
    ),
    ErrorCode.DATE_NOT_CALENDAR: CatalogueEntry(
        Severity.WARNING,
        "Date is not a calendar date",
        "Line {line}, {path}: <{element_name}> gives {dropped}, which no calendar has, so the "
        "date was recorded as {kept} only. Use a month from 01 to 12 (or one of Crossref's season "
        "and quarter codes 21-24 and 31-34) and a day that exists in that month, and deposit the "
        "record again with a higher timestamp if the full date matters.",
    ),
    ErrorCode.BODY_ELEMENT_UNKNOWN: CatalogueEntry(
        Severity.WARNING,
        "Content type not read",
        "Line {line}, {path}: <{element}> is not a kind of content this service reads, so "
        "nothing in it was registered. If it comes from a schema version newer than the ones "
        "listed on the deposit page, deposit it with one of those versions; otherwise contact "
        "support quoting this message.",
    ),
    ErrorCode.RECORD_NOT_UNDERSTOOD: CatalogueEntry(
        Severity.WARNING,
        "Record read only in part",
        "Line {line}, {path}: the DOI {doi} belongs to <{element}>, which this service does not "
        "read in detail, so it was taken as type '{type}' with its titles and URLs only. Check "
        "the record after deposit; if more of its metadata matters, contact support quoting this "
        "message.",
    ),
    ErrorCode.RESOURCE_PART_NOT_STORED: CatalogueEntry(
        Severity.WARNING,
        "Part not stored from a resource-only deposit",
        "Line {line}, {path}: the <{element}> for DOI {doi} was read, but this service does not "
        "yet keep {what} from resource-only deposits, so the record was left as it was. Put "
        "{what} in the full record instead (deposit the whole item again, with a higher "
        "timestamp).",
    ),
}


@dataclass(frozen=True)
class DepositProblem:
    """One finding about a deposit, in the words the depositor will read."""

    code: ErrorCode
    message: str
    line: int | None = None
    path: str | None = None
    doi: str | None = None

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    def as_dict(self) -> dict:
        return {**asdict(self), "code": str(self.code), "severity": str(self.severity)}


def problem(
    code: ErrorCode,
    *,
    line: int | None = None,
    path: str | None = None,
    doi: str | None = None,
    **params,
) -> DepositProblem:
    """Build a DepositProblem from the catalogue template of `code`."""
    template = CATALOGUE[code].template
    values = {
        "line": line if line is not None else "?",
        "path": path or "the document",
        "doi": doi or "",
        **params,
    }
    return DepositProblem(code=code, message=template.format(**values), line=line, path=path, doi=doi)


def human_size(size: int) -> str:
    """250 MiB, 12 KiB, 512 bytes."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"
