"""Validate a deposit file: safe parse, pick the schema from the root namespace, XSD
validation, and the 5.5.0 rules that XSD 1.0 cannot express. Every finding is a
DepositProblem from the error catalogue (deposits/errors.py), with the line, the element
path and, inside a record, the record's DOI."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from django.conf import settings
from lxml import etree

from deposits.errors import DepositProblem, ErrorCode, Severity, problem
from deposits.xml.credit import check_credit_roles
from deposits.xml.paths import element_path, record_doi
from deposits.xml.safe import DepositParseError, Source, parse_deposit
from deposits.xml.schemas import (
    ROOT_NAMES,
    RootKind,
    SchemaChoice,
    SchemaLoadError,
    choose_schema,
    family_of,
    is_crossref_namespace,
    load_schema,
)

MAX_REPORTED_ERRORS = 20

# Conventional prefixes for the namespaces Crossref deposits mix in, for messages.
KNOWN_PREFIXES = {
    "http://www.ncbi.nlm.nih.gov/JATS1": "jats",
    "http://www.crossref.org/fundref.xsd": "fr",
    "http://www.crossref.org/AccessIndicators.xsd": "ai",
    "http://www.crossref.org/relations.xsd": "rel",
    "http://www.crossref.org/clinicaltrials.xsd": "ct",
    "http://www.w3.org/1998/Math/MathML": "mml",
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/XML/1998/namespace": "xml",
}


@dataclass
class ValidationResult:
    """What validate_deposit found. `problems` holds errors and warnings in file order
    (file-level ones first); `ok` is true when none of them is an error."""

    tree: etree._ElementTree | None = None
    kind: RootKind | None = None
    namespace: str | None = None
    version: str | None = None
    schema: SchemaChoice | None = None
    problems: list[DepositProblem] = field(default_factory=list)
    schema_error_count: int = 0  # every schema error found, listed or not

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[DepositProblem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[DepositProblem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def fallback(self) -> bool:
        return bool(self.schema and self.schema.fallback)

    @property
    def schema_used(self) -> str | None:
        """e.g. 'crossref5.5.0.xsd (installed, crossref-5.5.0/)' - for the submission log."""
        return self.schema.label if self.schema else None

    @property
    def codes(self) -> list[ErrorCode]:
        return [p.code for p in self.problems]


def validate_deposit(
    source: Source, *, max_bytes: int | None = None, max_errors: int = MAX_REPORTED_ERRORS
) -> ValidationResult:
    """Validate a deposit (bytes, a path or a binary file object) against its Crossref
    schema. Never raises for a bad file: everything wrong is in `problems`."""
    result = ValidationResult()
    limit = settings.DEPOSIT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        result.tree = parse_deposit(source, max_bytes=limit)
    except DepositParseError as exc:
        result.problems.append(exc.problem)
        return result

    root = result.tree.getroot()
    qname = etree.QName(root)
    result.namespace = qname.namespace
    identified = _identify(root)
    if isinstance(identified, DepositProblem):
        result.problems.append(identified)
        return result
    family, result.version = identified
    result.kind = family.kind

    result.schema = choose_schema(family.kind, result.version)
    if result.schema is None:
        result.problems.append(
            problem(ErrorCode.SCHEMA_NOT_INSTALLED, kind=family.kind.value, namespace=qname.namespace)
        )
        return result
    choice = result.schema
    if choice.fallback:
        result.problems.append(
            problem(
                ErrorCode.SCHEMA_FALLBACK,
                line=root.sourceline,
                path=element_path(root),
                kind=family.kind.value,
                version=result.version,
                used=choice.version,
                schema=choice.label,
            )
        )
    try:
        compiled = load_schema(choice.file)
    except SchemaLoadError as exc:
        result.problems.append(
            problem(
                ErrorCode.SCHEMA_UNUSABLE,
                kind=family.kind.value,
                version=choice.version,
                schema=choice.label,
                detail=str(exc)[:500],
            )
        )
        return result

    target = result.tree
    if choice.fallback:
        target = _retarget(result.tree, qname.namespace, choice.namespace, result.version, choice.version)
    own = {qname.namespace, choice.namespace}
    schema_problems = _schema_problems(target, compiled.validate(target), own, choice.version)
    if compiled.needs_credit_checks:
        schema_problems += check_credit_roles(target)
        schema_problems.sort(key=lambda p: p.line or 0)  # stable: file order within a line
    result.schema_error_count = len(schema_problems)
    result.problems += schema_problems[:max_errors]
    if len(schema_problems) > max_errors:
        result.problems.append(problem(ErrorCode.TOO_MANY_ERRORS, count=len(schema_problems) - max_errors))
    return result


def _identify(root: etree._Element):
    """(family, version) for a root element we have schemas for, else the problem."""
    qname = etree.QName(root)
    found = family_of(qname.namespace)
    namespace_text = f" in the namespace '{qname.namespace}'" if qname.namespace else " (with no namespace)"
    if found:
        family, version = found
        if qname.localname != family.root:
            return problem(
                ErrorCode.UNKNOWN_ROOT,
                line=root.sourceline,
                path=element_path(root),
                root=qname.localname,
                namespace_text=namespace_text,
            )
        return family, version
    if qname.localname in ROOT_NAMES or is_crossref_namespace(qname.namespace):
        return problem(
            ErrorCode.UNKNOWN_NAMESPACE,
            line=root.sourceline,
            path=element_path(root),
            root=qname.localname,
            namespace=qname.namespace or "(none)",
        )
    return problem(
        ErrorCode.UNKNOWN_ROOT,
        line=root.sourceline,
        path=element_path(root),
        root=qname.localname,
        namespace_text=namespace_text,
    )


def _retarget(
    tree: etree._ElementTree, from_ns: str, to_ns: str, from_version: str, to_version: str
) -> etree._ElementTree:
    """A copy of `tree` moved into the fallback schema's namespace (line numbers kept)."""
    moved = copy.deepcopy(tree)
    prefix = f"{{{from_ns}}}"
    for element in moved.iter():
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            element.tag = f"{{{to_ns}}}{element.tag[len(prefix) :]}"
    root = moved.getroot()
    if root.get("version") == from_version:
        root.set("version", to_version)
    return moved


# --------------------------------------------------------------------------- messages

_ENTRY = re.compile(r"^Element '(?P<element>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: (?P<rest>.*)$", re.S)
_QNAME = re.compile(r"\{(?P<ns>[^}]*)\}(?P<local>[\w.\-]+)")


def _schema_problems(
    tree: etree._ElementTree, entries: list, own_namespaces: set, version: str
) -> list[DepositProblem]:
    prefixes = {**KNOWN_PREFIXES}
    for prefix, uri in (tree.getroot().nsmap or {}).items():
        if prefix:
            prefixes[uri] = prefix
    namer = _Namer(prefixes, own_namespaces)
    problems: list[DepositProblem] = []
    last_facet: tuple | None = None
    for entry in entries:
        element = _element_for(tree, entry)
        line = entry.line or (element.sourceline if element is not None else None)
        match = _ENTRY.match(entry.message)
        attr = match.group("attr") if match else None
        path = element_path(element) if element is not None else None
        if path and attr:
            path += f"/@{attr}"
        if match and "is not a valid value of the" in match.group("rest") and last_facet == (line, path):
            continue  # libxml2 repeats a facet failure as a type failure: say it once
        last_facet = (line, path) if match and "[facet '" in match.group("rest") else None
        detail = rephrase(entry.message, namer)
        problems.append(
            problem(
                ErrorCode.SCHEMA_INVALID,
                line=line,
                path=path or "(unknown element)",
                doi=record_doi(element) if element is not None else None,
                detail=detail,
                schema=version,
            )
        )
    return problems


def _element_for(tree: etree._ElementTree, entry) -> etree._Element | None:
    if entry.path:
        try:
            found = tree.xpath(entry.path)
        except etree.XPathError:
            found = []
        if found and isinstance(found[0], etree._Element):
            return found[0]
    match = _ENTRY.match(entry.message)
    if match and entry.line:  # by line and name, when libxml2 gave no usable path
        for element in tree.iter(match.group("element")):
            if element.sourceline == entry.line:
                return element
    return None


class _Namer:
    def __init__(self, prefixes: dict, own: set):
        self.prefixes, self.own = prefixes, own

    def __call__(self, qualified: str) -> str:
        match = _QNAME.fullmatch(qualified)
        if not match:
            return f"<{qualified}>"
        ns, local = match.group("ns"), match.group("local")
        if ns in self.own or ns not in self.prefixes:
            return f"<{local}>"
        return f"<{self.prefixes[ns]}:{local}>"

    def names(self, text: str) -> str:
        return _QNAME.sub(lambda m: self(m.group(0)), text)


def _choices(listed: str, namer: _Namer) -> str:
    names = [namer(name.strip()) for name in listed.split(",") if name.strip()]
    if len(names) > 8:
        return ", ".join(names[:8]) + f", ... ({len(names)} in all)"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _characters(count: str) -> str:
    return f"{count} character" if count == "1" else f"{count} characters"


def rephrase(message: str, namer: _Namer | None = None) -> str:
    """libxml2's schema error text, said plainly: element names without namespace URIs,
    the 'expected' list as a readable list, and what to do."""
    namer = namer or _Namer(KNOWN_PREFIXES, set())
    match = _ENTRY.match(message.strip())
    if not match:
        return namer.names(message.strip())
    element = namer(match.group("element"))
    attr = match.group("attr")
    subject = f"the attribute '{attr}' of {element}" if attr else element
    value_of = f"the attribute '{attr}' of {element}" if attr else element
    rest = match.group("rest").strip()

    if m := re.match(
        r"This element is not expected\.(?: Expected is (?:one of )?\( (?P<exp>.*?) \)\.?)?$", rest
    ):
        if m.group("exp"):
            return (
                f"{element} is not allowed at this position. "
                f"Expected here: {_choices(m.group('exp'), namer)}. "
                f"Child elements must come in the order the schema sets: move {element} to its proper "
                "place, or add the missing element before it."
            )
        return (
            f"{element} is not allowed at this position: nothing more may come here, or the element "
            "belongs to another schema version or namespace. Move or remove it."
        )
    if m := re.match(r"Missing child element\(s\)\. Expected is (?:one of )?\( (?P<exp>.*?) \)\.?$", rest):
        expected = _choices(m.group("exp"), namer)
        return f"{element} is incomplete: a required child element is missing. Add {expected}."
    if m := re.match(
        r"\[facet 'minLength'\] The value has a length of '(\d+)'; .* minimum length of '(\d+)'", rest
    ):
        least = _characters(m.group(2))
        if m.group(1) == "0":
            return f"{value_of} is empty; it must have at least {least}. Fill it in."
        return f"{value_of} has {_characters(m.group(1))}; it must have at least {least}."
    if m := re.match(
        r"\[facet 'maxLength'\] The value has a length of '(\d+)'; .* maximum length of '(\d+)'", rest
    ):
        return f"{value_of} has {_characters(m.group(1))}; at most {m.group(2)} are allowed. Shorten it."
    if m := re.match(
        r"\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '(.*)'\.?$", rest, re.S
    ):
        return (
            f"The value '{m.group(1)}' of {value_of} does not have the required form "
            f"(pattern {m.group(2)}). Correct the value."
        )
    if m := re.match(
        r"\[facet 'enumeration'\] The value '(.*)' is not an element of the set \{(.*)\}\.?$", rest
    ):
        allowed = ", ".join(v.strip() for v in m.group(2).split(","))
        return f"The value '{m.group(1)}' of {value_of} is not one of the allowed values: {allowed}."
    if m := re.match(r"\[facet '(\w+)'\] (.*)$", rest, re.S):
        return f"{value_of}: {namer.names(m.group(2))} (rule '{m.group(1)}')."
    if m := re.match(r"'(.*)' is not a valid value of the (?:local )?(\w+) type(?: '(.*)')?\.?$", rest, re.S):
        kind = f" ({namer(m.group(3))[1:-1]})" if m.group(3) else ""
        return f"'{m.group(1)}' is not a valid value for {value_of}{kind}. Correct the value."
    if m := re.match(r"The attribute '(.*)' is not allowed\.?$", rest):
        return f"{element} does not take the attribute '{m.group(1)}'. Remove it or check its spelling."
    if m := re.match(r"The attribute '(.*)' is required but missing\.?$", rest):
        return f"{element} needs the attribute '{m.group(1)}', which is missing. Add it."
    if rest.startswith("Character content other than whitespace is not allowed"):
        return (
            f"{element} may contain only elements, but it has text directly inside it. Put the text "
            "inside the proper child element (in a JATS abstract: <jats:p>)."
        )
    if rest.startswith("Element content is not allowed, because the content type is a simple type"):
        return f"{element} may contain only text, but it has elements inside it. Remove the inner markup."
    if rest.startswith("No matching global declaration available for the validation root"):
        return f"{element} is not a root element this schema accepts."
    if m := re.match(
        r"Duplicate key-sequence \[(.*)\] in (?:unique|key) identity-constraint '(.*)'\.?$", rest
    ):
        constraint = namer.names(m.group(2))
        return f"The value {m.group(1)} appears twice in {element} but must be unique ({constraint})."
    return f"{subject}: {namer.names(rest)}"
