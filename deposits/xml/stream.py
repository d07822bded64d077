"""Large deposits without loading them whole: two streaming passes over the stored file.

1. `stream_validate`: the same safety checks as `deposits.xml.safe` (size, DOCTYPE and
   entities refused), the schema chosen from the root element, then `lxml.etree.iterparse`
   with the compiled XMLSchema plugged into the parser, so libxml2 validates while it
   reads. Elements are cleared as soon as they end, so memory stays flat whatever the file
   size (measured: bench/deposit.py --stream). It also collects the DOI prefixes (for the
   file-level rules) and runs the 5.5.0 role checks per record. libxml2's streaming
   validation reports no line numbers; when a streamed file is invalid and small enough
   (DEPOSIT_TREE_MAX_BYTES) the tree validator runs again to name line and element path.
2. `stream_records`: iterparse again, without the schema, yielding `ParsedRecord`s in
   document order. The unit read at a time is one child of <body>, except <journal>, which
   is read one <journal_article> at a time with its journal_metadata and current
   journal_issue (publishers put thousands of articles in one <journal>).

A schema fallback (a version not installed, read with the nearest one) needs the whole tree
moved into another namespace, so such files take the tree road (`None` from stream_validate).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from lxml import etree

from deposits.errors import ErrorCode, problem
from deposits.records import Head, ParsedRecord
from deposits.xml.credit import check_credit_roles
from deposits.xml.parse import CONTENT_ELEMENTS, RESOURCE_BODIES, parse_body_item, parse_head
from deposits.xml.parse.base import doi_as_written
from deposits.xml.safe import DepositParseError, parse_deposit, refuse_doctype
from deposits.xml.schemas import RootKind, choose_schema, load_schema
from deposits.xml.validate import ValidationResult, _identify, validate_deposit

_PROLOG_BYTES = 64 * 1024
_SAFE = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": True}
# With a schema plugged in, lxml's iterparse does not raise for a file cut short when
# resolve_entities is False. A DOCTYPE is refused before this pass (refuse_doctype reads up to
# the root element), so no entity can be declared and resolving them changes nothing else.
_VALIDATING = {"no_network": True, "load_dtd": False, "huge_tree": True}


@dataclass
class StreamedValidation:
    result: ValidationResult
    prefixes: set[str] = field(default_factory=set)
    doi_count: int = 0


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _cut_tags(namespace: str | None) -> list[str]:
    names = {*CONTENT_ELEMENTS, *RESOURCE_BODIES, "journal_article", "head"}
    return [f"{{{namespace}}}{n}" if namespace else n for n in sorted(names)]


def _free(element: etree._Element) -> None:
    """Drop what was read: the element's content and its already-read earlier siblings."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _root(path: Path) -> etree._Element | DepositParseError:
    """The root element as the first start event gives it (attributes, no children)."""
    try:
        for _event, element in etree.iterparse(str(path), events=("start",), **_SAFE):
            return element
    except etree.XMLSyntaxError:
        pass
    return parse_deposit_problem(path)


def parse_deposit_problem(path: Path) -> DepositParseError:
    """The precise refusal for a file that is not well-formed: the tree parser's own."""
    try:
        parse_deposit(path, max_bytes=settings.DEPOSIT_MAX_BYTES)
    except DepositParseError as exc:
        return exc
    return DepositParseError(problem(ErrorCode.NOT_WELL_FORMED, line=1, detail="unreadable"))


def stream_validate(path: Path) -> StreamedValidation | None:
    """Validate without building the tree. None: use the tree validator (schema fallback)."""
    result = ValidationResult()
    size = path.stat().st_size
    if size > settings.DEPOSIT_MAX_BYTES:
        return StreamedValidation(validate_deposit(path))  # refuses before reading
    try:
        with path.open("rb") as handle:
            refuse_doctype(iter(lambda: handle.read(_PROLOG_BYTES), b""))
    except DepositParseError as exc:
        result.problems.append(exc.problem)
        return StreamedValidation(result)
    root = _root(path)
    if isinstance(root, DepositParseError):
        result.problems.append(root.problem)
        return StreamedValidation(result)
    identified = _identify(root)
    if not isinstance(identified, tuple):
        result.problems.append(identified)
        return StreamedValidation(result)
    family, result.version = identified
    result.kind, result.namespace = family.kind, etree.QName(root).namespace
    result.schema = choose_schema(family.kind, result.version)
    if result.schema is None or result.schema.fallback or family.kind is RootKind.QUERY:
        return None  # the tree road says why
    compiled = load_schema(result.schema.file)
    streamed = StreamedValidation(result)
    namespace = result.namespace
    doi_tag = f"{{{namespace}}}doi" if namespace else "doi"
    role_problems = []
    context = etree.iterparse(
        str(path),
        events=("end",),
        tag=[*_cut_tags(namespace), doi_tag],
        schema=compiled.schema,
        **_VALIDATING,
    )
    try:
        for _event, element in context:
            if element.tag == doi_tag:
                parent = element.getparent()
                if parent is not None and _local(parent) != "citation" and element.text:
                    streamed.prefixes.add(doi_as_written(element.text).split("/", 1)[0].lower())
                    streamed.doi_count += 1
                continue
            if compiled.needs_credit_checks and _local(element) != "head":
                role_problems += check_credit_roles(element)
            _free(element)
    except etree.XMLSyntaxError as exc:
        errors = [e for e in context.error_log if e.level_name in ("ERROR", "FATAL")] or [exc]
        if any(getattr(e, "domain_name", "") == "PARSER" for e in errors) or isinstance(errors[0], Exception):
            result.problems.append(parse_deposit_problem(path).problem)
            return streamed
        if size <= getattr(settings, "DEPOSIT_TREE_MAX_BYTES", 64 * 1024 * 1024):
            return StreamedValidation(validate_deposit(path))  # line numbers and element paths
        for entry in errors[:20]:
            result.problems.append(
                problem(
                    ErrorCode.SCHEMA_INVALID,
                    line=None,
                    path=None,
                    detail=entry.message,
                    schema=result.schema.version,
                )
            )
        result.schema_error_count = len(errors)
    result.problems += role_problems
    return streamed


def stream_head(path: Path) -> Head:
    for _event, element in etree.iterparse(str(path), events=("end",), tag="{*}head", **_SAFE):
        return parse_head(element)
    return Head()


def stream_records(path: Path, *, kind: str, namespace: str | None) -> Iterator[ParsedRecord]:
    """The records of a schema-valid deposit, in document order, reading one unit at a time."""
    body_path = "/doi_batch/body"
    counts: dict[str, int] = {}
    articles_in_journal = 0
    container_keys: set[tuple] = set()  # journal, volume and issue records already given
    for _event, element in etree.iterparse(str(path), events=("end",), tag=_cut_tags(namespace), **_SAFE):
        name = _local(element)
        parent = element.getparent()
        if name == "head" or parent is None:
            _free(element)
            continue
        if name == "journal_article" and _local(parent) == "journal":
            articles_in_journal += 1
            journal_path = f"{body_path}/journal[{counts.get('journal', 0) + 1}]"
            unit = etree.Element(parent.tag, nsmap=parent.nsmap)
            for sibling in parent:
                if sibling is element:
                    break
                if _local(sibling) == "journal_metadata":
                    unit.append(copy.deepcopy(sibling))
            issue = next(
                (s for s in element.itersiblings(preceding=True) if _local(s) == "journal_issue"), None
            )
            if issue is not None:
                unit.append(copy.deepcopy(issue))
            unit.append(element)  # moved out of the journal: freed with `unit`
            for record in parse_body_item(unit, kind=kind, path=journal_path):
                if _repeated_container(record, container_keys):
                    continue
                if record.record is not None and record.record.type == "journal-article":
                    record.path = record.path.replace(
                        "/journal_article", f"/journal_article[{articles_in_journal}]", 1
                    )
                yield record
            continue
        if _local(parent) != "body":
            continue
        counts[name] = counts.get(name, 0) + 1
        item_path = f"{body_path}/{name}[{counts[name]}]"
        for record in parse_body_item(element, kind=kind, path=item_path):
            if name == "journal" and _repeated_container(record, container_keys):
                continue
            yield record
        if name == "journal":
            articles_in_journal = 0
            container_keys.clear()
        _free(element)


CONTAINER_TYPES = frozenset({"journal", "journal-volume", "journal-issue"})


def _repeated_container(record: ParsedRecord, seen: set[tuple]) -> bool:
    """Each article of a journal is read with its journal_metadata and journal_issue, so
    their own records come back with every article: give them once per <journal>."""
    if record.record is None or record.record.type not in CONTAINER_TYPES:
        return False
    key = (record.doi, record.record.type, record.line)
    if key in seen:
        return True
    seen.add(key)
    return False
