"""XML queries (`/servlet/query`): a `query_batch` document (schema qschema/2.0) in
`qdata`, or `id=<doi>`, answered as xsd_xml (qrschema/3.0), unixref or unixsd (built in
`xmlquery_output`).

The query options of crossref_query_input2.0.xsd:
* `enable-multiple-hits` true | one_hit_per_rule | multi_hit_per_rule: when the evidence
  cannot choose one work, answer every candidate that passed validation (status
  `multiresolved`) instead of none; `exact`: the same, with every given value compared as
  written and the per-element hints ignored.
* `secondary-query` author-title: when the full query finds nothing, try the author and
  article title (and year) alone; `multiple-hits` and `author-title-multiple-hits` also
  allow multiple hits.
* element `match`: `optional` lets the field be dropped in a later try (only when given:
  the schema's defaults mark nearly every field optional); `exact` keeps only works with
  the same value; `null` only works without one; `fuzzy` is what the matcher does anyway.
* author `search-all-authors`: checked, not acted on: the matcher compares the first
  author, and a name that is not the first author's neither helps nor blocks a match (the
  other fields decide), so until it can compare every author there is nothing to change.
* `expanded-results="true"`: more metadata in xsd_xml.
`forward-match` and `list-components` are checked but not acted on. Unknown attributes
are ignored; a value the schema does not allow makes that query malformed."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from linking.formats.common import isbns
from linking.matching.matcher import citation_outcome, citation_parse
from linking.matching.normalise import (
    doi_normalise,
    isbn_normalise,
    issn_normalise,
    markup_strip,
    words,
)
from linking.matching.xmlquery_output import (
    DOI_TYPES,
    QR,
    QUERY_FIELDS,
    Answer,
    Query,
    unixref,
    unixsd,
    xsd_xml,
)
from linking.models import Work
from linking.records import WorkRecord, work_record_from_json

__all__ = ["DOI_TYPES", "QR", "parse_query_batch", "query_run", "servlet_query"]

QS = "http://www.crossref.org/qschema/2.0"
FORMATS = ("xsd_xml", "unixref", "unixsd")
MAX_QDATA_BYTES = 256 * 1024
MAX_QUERIES = 50
MULTIPLE_HITS = ("true", "false", "one_hit_per_rule", "multi_hit_per_rule", "exact")
SECONDARY_QUERIES = ("none", "author-title", "multiple-hits", "author-title-multiple-hits")
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
# The `match` tokens each element accepts, and whether it takes a list of them.
MATCH_TOKENS: dict[str, tuple[frozenset[str], bool]] = {
    "issn": (frozenset({"optional", "exact"}), False),
    "isbn": (frozenset({"optional", "exact"}), False),
    "journal_title": (frozenset({"optional", "fuzzy", "exact"}), True),
    "series_title": (frozenset({"optional", "fuzzy", "null", "exact"}), True),
    "volume_title": (frozenset({"optional", "fuzzy", "exact"}), True),
    "proceedings_title": (frozenset({"optional", "fuzzy", "exact"}), True),
    "author": (frozenset({"optional", "fuzzy", "null", "exact"}), True),
    "volume": (frozenset({"optional", "fuzzy", "exact"}), True),
    "issue": (frozenset({"exact", "fuzzy"}), True),
    "first_page": (frozenset({"optional", "null", "exact"}), True),
    "year": (frozenset({"optional", "exact"}), False),
    "edition_number": (frozenset({"fuzzy", "exact"}), False),
    "component_number": (frozenset({"fuzzy", "exact"}), False),
    "article_title": (frozenset({"fuzzy", "exact"}), False),
}
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class QueryRefused(ValueError):
    pass


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _boolean(element: etree._Element, name: str, problems: list[str]) -> bool:
    value = element.get(name)
    if value is None:
        return False
    parsed = BOOLEANS.get(value.strip())
    if parsed is None:
        problems.append(f"{name} must be true or false, not {value[:40]!r}")
        return False
    return parsed


def _options(element: etree._Element, query: Query) -> list[str]:
    """Reads the query's attributes into `query`; the problems found, if any."""
    problems: list[str] = []
    hits = element.get("enable-multiple-hits", "").split()
    secondary = element.get("secondary-query", "").split()
    for name, tokens, allowed in (
        ("enable-multiple-hits", hits, MULTIPLE_HITS),
        ("secondary-query", secondary, SECONDARY_QUERIES),
    ):
        unknown = [t for t in tokens if t not in allowed]
        if unknown:
            problems.append(f"{name} may be {', '.join(allowed)}; not {unknown[0][:40]!r}")
    query.exact = "exact" in hits
    query.multiple_hits = bool(
        {"true", "one_hit_per_rule", "multi_hit_per_rule", "exact"} & set(hits)
        or {"multiple-hits", "author-title-multiple-hits"} & set(secondary)
    )
    query.author_title = bool({"author-title", "author-title-multiple-hits"} & set(secondary))
    query.expanded = _boolean(element, "expanded-results", problems)
    _boolean(element, "forward-match", problems)
    _boolean(element, "list-components", problems)
    return problems


def _match_hint(child: etree._Element, name: str, problems: list[str]) -> frozenset[str]:
    value = child.get("match")
    if value is None or name not in MATCH_TOKENS:
        return frozenset()
    allowed, is_list = MATCH_TOKENS[name]
    tokens = frozenset(value.split())
    if not tokens and is_list:
        return frozenset({"exact"})  # the schema: an empty list means neither optional nor fuzzy
    unknown = sorted(tokens - allowed)
    if not tokens or unknown:
        problems.append(f"{name}/@match may be {' '.join(sorted(allowed))}; not {value[:40]!r}")
    elif not is_list and len(tokens) > 1:
        problems.append(f"{name}/@match takes one value, not {value[:40]!r}")
    elif "exact" in tokens and tokens & {"fuzzy", "optional"}:
        problems.append(f"{name}/@match: exact cannot be combined with fuzzy or optional")
    return tokens & allowed


def _query(element: etree._Element) -> Query:
    query = Query(key=element.get("key", "")[:128])
    problems = _options(element, query)
    for child in element:
        name = _local(child)
        # the first of each element only: one author, as the real engine without search-all-authors
        if name not in QUERY_FIELDS or name in query.fields:
            continue
        hint = _match_hint(child, name, problems)
        if hint:
            query.hints[name] = hint
        if name == "author":
            query.all_authors = _boolean(child, "search-all-authors", problems)
        query.fields[name] = " ".join("".join(child.itertext()).split())[:2000]
    query.problem = "; ".join(problems)
    return query


def parse_query_batch(data: bytes) -> tuple[dict[str, str], list[Query]]:
    """(head, queries) of a query_batch document. Any DOCTYPE is refused (no entities,
    no DTDs, nothing loaded from the network) and the size is limited."""
    if len(data) > MAX_QDATA_BYTES:
        raise QueryRefused(f"qdata may be at most {MAX_QDATA_BYTES // 1024} KB.")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data[:4096], re.IGNORECASE):
        raise QueryRefused("qdata must not contain a DOCTYPE or entity declarations.")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise QueryRefused(f"qdata is not well-formed XML: {exc.msg}") from None
    if _local(root) != "query_batch" or (etree.QName(root).namespace not in (QS, None)):
        raise QueryRefused(f"qdata must be a query_batch document in the {QS} namespace.")
    head = {}
    for element in root.iter():
        if _local(element) in ("email_address", "doi_batch_id") and element.text:
            head[_local(element)] = element.text.strip()[:200]
    queries = [_query(e) for e in root.iter() if _local(e) == "query"]
    if len(queries) > MAX_QUERIES:
        raise QueryRefused(f"At most {MAX_QUERIES} queries per request; this batch has {len(queries)}.")
    return head, queries


def _matcher_input(fields: dict[str, str]) -> dict[str, str] | str:
    fields = {k: v for k, v in fields.items() if k != "publication_type" and v}
    if set(fields) == {"unstructured_citation"}:
        return fields["unstructured_citation"]
    return fields


def _valid(fields: dict[str, str]) -> str:
    """'' when the query can be run, else why not (the real engine's rules)."""
    if fields.get("doi"):
        doi = doi_normalise(fields["doi"])
        return "" if re.match(r"^10\.\d+/\S+$", doi) and len(fields["doi"]) <= 200 else "DOI is malformed"
    if fields.get("unstructured_citation"):
        return ""
    if not (fields.get("first_page") or fields.get("author")):
        return "Either first_page or author must be supplied"
    titles = ("issn", "journal_title", "isbn", "series_title", "volume_title", "proceedings_title")
    if not any(fields.get(k) for k in (*titles, "article_title")):
        return "Either ISSN or journal title (or ISBN or series/volume title for books) must be supplied"
    return ""


def _attempts(query: Query) -> list[tuple[dict[str, str], str]]:
    """(fields, query_mode) in the order they are tried: the full query, then without the
    fields marked optional, then the author-title secondary query."""
    hints = {} if query.exact else query.hints
    fields = {k: v for k, v in query.fields.items() if v and "null" not in hints.get(k, ())}
    attempts = [(fields, "")]
    if query.exact:
        return attempts
    optional = {k for k, hint in hints.items() if "optional" in hint} & set(fields)
    if optional and set(fields) - optional:
        attempts.append(({k: v for k, v in fields.items() if k not in optional}, ""))
    if query.author_title and fields.get("author") and fields.get("article_title"):
        short = {k: fields[k] for k in ("author", "article_title", "year") if fields.get(k)}
        if short != fields:
            attempts.append((short, "author-title"))
    return attempts


def _comparable(text: str) -> str:
    return " ".join(words(markup_strip(text)))


def _record_values(name: str, work: Work, record: WorkRecord) -> list[str] | None:
    """The work's values for a query element, as `_comparable` text; None when the
    registry cannot say (the element is then not compared)."""
    container = record.container
    if name == "issn":
        return [issn_normalise(i.get("value", "")) for i in (container.issns if container else [])]
    if name == "isbn":
        return [isbn_normalise(i["value"]) for i in isbns(record)]
    if name in ("journal_title", "volume_title", "proceedings_title"):
        names = [work.container_title, *(container.titles + container.short_titles if container else [])]
        return [_comparable(n) for n in names if n]
    if name == "article_title":
        return [_comparable(t) for t in [work.title, *record.titles] if t]
    if name == "author":
        people = [p for p in record.contributors if p.role == "author"] or record.contributors
        if not people:
            return []
        first = people[0]
        forms = [first.family or first.name, f"{first.given} {first.family}", f"{first.family} {first.given}"]
        return [_comparable(f) for f in forms if f.strip()]
    if name in ("volume", "issue", "first_page"):
        return [_comparable(v) for v in [getattr(work, name)] if v]
    if name == "year":
        return [work.issued[:4]] if work.issued[:4].strip("0") else []
    return None


def _same(name: str, value: str, values: list[str]) -> bool:
    if name == "issn":
        return issn_normalise(value) in values
    if name == "isbn":
        return isbn_normalise(value) in values
    return _comparable(value) in values


def _acceptable(work: Work, query: Query) -> bool:
    """Whether `work` keeps to the query's exact and null hints (every value is exact in
    the `exact` mode)."""
    record = work_record_from_json(work.data or {})
    hints = {} if query.exact else query.hints
    exact = set(query.fields) if query.exact else {k for k, hint in hints.items() if "exact" in hint}
    for name in exact:
        values = _record_values(name, work, record)
        if query.fields.get(name) and values is not None and not _same(name, query.fields[name], values):
            return False
    for name in (k for k, hint in hints.items() if "null" in hint):
        if _record_values(name, work, record):
            return False
    return True


def _works(dois: list[str]) -> list[Work]:
    found = {w.doi: w for w in Work.objects.filter(doi__in=dois).select_related("organisation", "prefix")}
    return [found[doi] for doi in dois if doi in found]


def query_run(query: Query) -> Answer:
    """One query's answer: the first try that finds one work wins; otherwise, with multiple
    hits on, the first try's candidates that passed validation; otherwise unresolved."""
    problem = query.problem or _valid(query.fields)
    if problem:
        return Answer(query, "malformed", message=problem)
    ambiguous: Answer | None = None
    for fields, mode in _attempts(query):
        outcome = citation_outcome(citation_parse(_matcher_input(fields)))
        if outcome.match:
            works = [w for w in _works([outcome.match.doi]) if _acceptable(w, query)]
            if works:
                return Answer(query, "resolved", works, mode=mode)
        elif outcome.passing and ambiguous is None and query.multiple_hits:
            dois = [m.doi for m in outcome.passing]
            works = [w for w in _works(dois) if _acceptable(w, query)]
            if works:
                ambiguous = Answer(query, "multiresolved", works, mode=mode)
    return ambiguous or Answer(query, "unresolved")


def _param(request: HttpRequest, name: str) -> str:
    return request.POST.get(name) or request.GET.get(name) or ""


@csrf_exempt  # machine endpoint: credentials (when given) travel in the request, no session
@require_http_methods(["GET", "POST"])
def servlet_query(request: HttpRequest) -> HttpResponse:
    output = (_param(request, "format") or "xsd_xml").lower()
    if output not in FORMATS:
        return _plain(f"Unknown format {output!r}; use one of {', '.join(FORMATS)}.", 400)
    qdata, doi = _param(request, "qdata"), _param(request, "id") or _param(request, "doi")
    if not qdata and not doi:
        return _plain("Give a query_batch document in qdata, or a DOI in id.", 400)
    try:
        if qdata:
            head, queries = parse_query_batch(qdata.encode())
        else:
            head, queries = {}, [Query(fields={"doi": doi_normalise(doi)})]
    except QueryRefused as exc:
        return _plain(str(exc), 400)
    answers = [query_run(q) for q in queries]
    if output == "unixref":
        body = unixref(answers)
    elif output == "unixsd":
        body = unixsd(head, answers)
    else:
        body = xsd_xml(head, answers)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
