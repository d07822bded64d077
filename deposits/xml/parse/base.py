"""Small tools the deposit readers share: namespace-agnostic element look-up, text and
markup, dates, identifiers, element paths, and the per-record state (`Found`).

Every look-up goes by local name, so one reader serves every Crossref schema version
(4.3.0 to 5.5.0), the resource-only and grant schemas, and unixref/unixsd records, whose
elements have the same names in other namespaces. Comments and processing instructions
are skipped everywhere."""

from __future__ import annotations

import calendar
import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from lxml import etree

from deposits.errors import DepositProblem, ErrorCode, problem
from deposits.xml.paths import element_path
from linking.records import PartialDate, WorkRecord

# --------------------------------------------------------------------------- elements


def local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def kids(element: etree._Element, *names: str) -> Iterator[etree._Element]:
    """Element children (no comments), optionally only those with one of `names`."""
    for child in element:
        if isinstance(child.tag, str) and (not names or local(child) in names):
            yield child


def kid(element: etree._Element | None, *names: str) -> etree._Element | None:
    if element is None:
        return None
    return next(kids(element, *names), None)


def descend(element: etree._Element | None, *steps: str) -> etree._Element | None:
    """`descend(x, "publisher", "publisher_name")`: the first match of a child path."""
    for step in steps:
        element = kid(element, step)
        if element is None:
            return None
    return element


# --------------------------------------------------------------------------- text

_SPACE = re.compile(r"\s+")
# Crossref's face markup in titles: kept as tags, the way the REST API shows titles.
FACE_MARKUP = frozenset({"b", "i", "u", "ovl", "sup", "sub", "scp", "tt", "font", "em", "strong"})


def squash(value: str | None) -> str:
    return _SPACE.sub(" ", value).strip() if value else ""


def text(element: etree._Element | None) -> str:
    """All the text inside `element`, whitespace collapsed ('' for None)."""
    if element is None:
        return ""
    return squash("".join(element.itertext()))


def own_text(element: etree._Element | None) -> str:
    """Only the text directly inside `element` (not in its children): for mixed content
    such as `<fr:assertion name="funder_name">NSF<fr:assertion .../></fr:assertion>`."""
    if element is None:
        return ""
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return squash("".join(parts))


def child_text(element: etree._Element | None, *names: str) -> str:
    return text(kid(element, *names))


def child_texts(element: etree._Element | None, *names: str) -> list[str]:
    if element is None:
        return []
    return [value for value in (text(c) for c in kids(element, *names)) if value]


def markup(element: etree._Element | None) -> str:
    """A title with its face markup (`<i>`, `<sub>`, ...) kept as plain tags and MathML kept
    as XML, text unescaped (the REST API's title form); whitespace collapsed."""
    if element is None:
        return ""
    return squash(_inner(element))


def _inner(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            name = local(child)
            if name in FACE_MARKUP:
                parts.append(f"<{name}>{_inner(child)}</{name}>")
            else:
                parts.append(xml_string(child))
        parts.append(child.tail or "")
    return "".join(parts)


def xml_string(element: etree._Element) -> str:
    """`element` serialised on its own (no tail), declaring only the namespaces it uses."""
    clone = copy.deepcopy(element)
    clone.tail = None
    etree.cleanup_namespaces(clone)
    return etree.tostring(clone, encoding="unicode").strip()


def attr(element: etree._Element | None, name: str, default: str = "") -> str:
    if element is None:
        return default
    return squash(element.get(name)) or default


def truthy(value: str | None) -> bool:
    return squash(value).lower() in ("true", "1", "yes")


# --------------------------------------------------------------------------- identifiers

_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", re.I)
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])")


def bare_doi(value: str) -> str:
    """'https://doi.org/10.5555/ABC' -> '10.5555/abc' (DOIs are case-insensitive)."""
    return doi_as_written(value).lower()


def doi_as_written(value: str) -> str:
    """'https://doi.org/10.5555/ABC' -> '10.5555/ABC': the DOI in the member's own case, for logs."""
    return _DOI_URL.sub("", squash(value))


def orcid_url(value: str) -> str:
    found = _ORCID.search(value or "")
    return f"https://orcid.org/{found.group(1).upper()}" if found else squash(value)


def media_typed(elements: Iterator[etree._Element] | list[etree._Element]) -> list[dict[str, str]]:
    """ISSNs / ISBNs with their media type: [{"value": "1234-5678", "type": "print"}]."""
    found = []
    for element in elements:
        value = text(element)
        if value:
            found.append({"value": value, "type": attr(element, "media_type", "print")})
    return found


# --------------------------------------------------------------------------- dates

SEASONS = {21, 22, 23, 24, 31, 32, 33, 34}  # spring ... winter, first ... fourth quarter
_ISO_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def make_date(year: str | int | None, month: str | int | None = None, day: str | int | None = None):
    """(PartialDate | None, what was dropped | None). A month outside 1-12 (Crossref's season
    and quarter codes 21-34 included) keeps the year only; an impossible day keeps year and
    month. Partial dates stay partial."""
    try:
        y = int(str(year).strip())
    except (TypeError, ValueError):
        return None, None
    m = _int(month)
    d = _int(day)
    dropped = None
    if m is not None and not 1 <= m <= 12:
        dropped = None if m in SEASONS else f"month {m}"
        m, d = None, None
    if d is not None:
        if m is None or not 1 <= d <= calendar.monthrange(y, m)[1]:
            dropped = f"day {d}" + (f" of month {m}" if m else "")
            d = None
    return PartialDate(y, m, d), dropped


def _int(value) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def iso_date(value: str | None) -> PartialDate | None:
    """'2008-08-13' (or '2008-08', '2008', an xsd:dateTime) as a PartialDate."""
    found = _ISO_DATE.match(value or "")
    if not found:
        return None
    return make_date(*found.groups())[0]


def date_parts(date: PartialDate | None) -> dict | None:
    """The REST API shape of a date for `extra`: {"date-parts": [[2021, 7, 7]]}."""
    return {"date-parts": [date.parts()]} if date else None


def earliest(*dates: PartialDate | None) -> PartialDate | None:
    present = [d for d in dates if d is not None]
    return min(present, key=PartialDate.sort_key) if present else None


# --------------------------------------------------------------------------- paths and state


class Paths:
    """Element paths in the `element_path` form (/doi_batch/body/journal/journal_article[2]),
    computed from the item element down with one sibling count per parent, so a body with
    thousands of articles costs linear time. The item's own path comes from the caller
    (a streaming reader knows it without the rest of the tree) or from `element_path`."""

    def __init__(self, item: etree._Element, item_path: str | None = None):
        self.item = item
        self.item_path = item_path if item_path is not None else element_path(item)
        self._segments: dict[etree._Element, dict[etree._Element, str]] = {}

    def __call__(self, element: etree._Element) -> str:
        segments = []
        node = element
        while node is not None and node is not self.item:
            parent = node.getparent()
            if parent is None:
                return element_path(element)  # not inside the item after all
            segments.append(self._segment(parent, node))
            node = parent
        if node is None:
            return element_path(element)
        return self.item_path + "".join(f"/{s}" for s in reversed(segments))

    def _segment(self, parent: etree._Element, node: etree._Element) -> str:
        names = self._segments.get(parent)
        if names is None:
            children = list(kids(parent))
            totals: dict[str, int] = {}
            for child in children:
                totals[local(child)] = totals.get(local(child), 0) + 1
            seen: dict[str, int] = {}
            names = {}
            for child in children:
                name = local(child)
                seen[name] = seen.get(name, 0) + 1
                names[child] = f"{name}[{seen[name]}]" if totals[name] > 1 else name
            self._segments[parent] = names
        return names.get(node) or local(node)


@dataclass
class Found:
    """One record read from an item: the WorkRecord (None when it has no DOI), the element
    it was read from, the element that carries its DOI (for the line number), and what the
    reader noticed."""

    record: WorkRecord | None
    element: etree._Element
    anchor: etree._Element | None
    doi: str = ""
    problems: list[DepositProblem] = field(default_factory=list)

    @property
    def line(self) -> int | None:
        node = self.anchor if self.anchor is not None else self.element
        return node.sourceline


class Notes:
    """Collects the problems noticed while reading one record; the record's DOI is added
    when it is known."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.problems: list[DepositProblem] = []

    def add(self, code: ErrorCode, node: etree._Element, /, **params) -> None:
        self.problems.append(problem(code, line=node.sourceline, path=self.paths(node), **params))

    def date_dropped(self, element: etree._Element, kept: PartialDate, dropped: str) -> None:
        self.add(
            ErrorCode.DATE_NOT_CALENDAR,
            element,
            element_name=local(element),
            dropped=dropped,
            kept="-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(kept.parts())),
        )

    def take(self, doi: str) -> list[DepositProblem]:
        found = [replace(p, doi=p.doi or doi or None) for p in self.problems]
        self.problems = []
        return found
