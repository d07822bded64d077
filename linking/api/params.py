"""Query parameters of the REST API: parsing, limits, and the `validation-failure` errors
the real API gives for each kind of mistake (spec section 3 and 5)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import QueryDict

ROWS_DEFAULT = 20
ROWS_MAX = 1000
WORKS_OFFSET_MAX = 10_000
OTHER_OFFSET_MAX = 80_000
SAMPLE_MAX = 100
FACET_MAX = 1000

KNOWN = {
    "query",
    "filter",
    "rows",
    "offset",
    "sample",
    "sort",
    "order",
    "facet",
    "cursor",
    "select",
    "mailto",
}

FIELD_QUERIES = (
    "affiliation",
    "author",
    "bibliographic",
    "chair",
    "container-title",
    "contributor",
    "degree",
    "description",
    "editor",
    "event-acronym",
    "event-location",
    "event-name",
    "event-sponsor",
    "event-theme",
    "funder-name",
    "publisher-location",
    "publisher-name",
    "standards-body-acronym",
    "standards-body-name",
    "title",
    "translator",
)

SORTS = (
    "score",
    "relevance",
    "updated",
    "deposited",
    "indexed",
    "created",
    "published",
    "published-print",
    "published-online",
    "issued",
    "is-referenced-by-count",
    "references-count",
)

SELECTS = (
    "DOI ISBN ISSN URL abstract accepted alternative-id approved archive article-number assertion author "
    "chair clinical-trial-number container-title content-created content-domain created degree deposited "
    "editor event funder group-title indexed is-referenced-by-count issn-type issue issued license link "
    "member original-title page posted prefix published published-online published-print publisher "
    "publisher-location reference references-count relation score short-container-title short-title "
    "standards-body subject subtitle title translator type update-policy update-to updated-by volume "
    "contributor resource"
).split()


class ValidationFailure(Exception):
    """One or more parameter problems, answered as HTTP 400 `validation-failure`."""

    def __init__(self, problems: list[dict[str, str]]):
        super().__init__(problems[0]["message"] if problems else "")
        self.problems = problems


def problem(kind: str, value: object, message: str) -> dict[str, object]:
    return {"type": kind, "value": value, "message": message}


def fail(kind: str, value: object, message: str) -> ValidationFailure:
    return ValidationFailure([problem(kind, value, message)])


@dataclass
class Params:
    """A validated request. Works-only parts are empty on other routes."""

    query: str = ""
    field_queries: dict[str, str] = field(default_factory=dict)
    filters: list[tuple[str, str]] = field(default_factory=list)
    rows: int = ROWS_DEFAULT
    offset: int = 0
    sample: int | None = None
    sort: str = ""
    order: str = "desc"
    facets: dict[str, int] = field(default_factory=dict)
    cursor: str | None = None
    select: list[str] = field(default_factory=list)

    @property
    def search_terms(self) -> str | None:
        return self.query or None


def _integer(name: str, raw: str, maximum: int) -> int:
    if not re.fullmatch(r"\d{1,9}", raw.strip()) or int(raw) > maximum:
        raise fail(
            "integer-not-valid",
            raw,
            f"Integer specified as {raw} but must be a positive integer less than or equal to {maximum}. ",
        )
    return int(raw)


def parse_filters(raw: str) -> list[tuple[str, str]]:
    """`name:value,name:value`; a piece without ':' belongs to the previous value;
    the name ends at the first ':'."""
    pieces: list[str] = []
    for piece in raw.split(","):
        if ":" not in piece and pieces:
            pieces[-1] += "," + piece
        else:
            pieces.append(piece)
    found = []
    for piece in pieces:
        if not piece.strip():
            continue
        if ":" not in piece:
            raise fail("pair-list-form-invalid", piece, f"Filter '{piece}' must be of the form name:value")
        name, value = piece.split(":", 1)
        found.append((name.strip(), value.strip()))
    return found


def _facets(raw: str, known: dict[str, int]) -> dict[str, int]:
    wanted: dict[str, int] = {}
    for piece in filter(None, (p.strip() for p in raw.split(","))):
        if piece in ("*", "t", "true", "1"):
            return {name: limit for name, limit in known.items()}
        name, _, count = piece.partition(":")
        if name not in known:
            raise fail(
                "facet-not-available",
                name,
                f"Facet {name} specified but there is no such facet for this route. "
                f"Valid facets for this route are: {', '.join(sorted(known))}",
            )
        count = count.strip() or "*"
        if count == "*":
            wanted[name] = known[name]
        elif re.fullmatch(r"-?\d{1,9}", count):
            wanted[name] = max(1, min(int(count), known[name]))
        else:
            raise fail(
                "integer-not-valid", count, f"Integer specified as {count} but must be a positive integer."
            )
    return wanted


def clean_query(text: str) -> str:
    """Query text as plain words: search-syntax characters become spaces."""
    return " ".join(re.sub(r"[+\-&|!(){}\[\]^\"~*?:\\/<>=;,.%“”]", " ", text).split())


def parse(
    data: QueryDict,
    *,
    works: bool,
    facet_names: dict[str, int] | None = None,
    offset_max: int = OTHER_OFFSET_MAX,
    route_filters: bool = True,
) -> Params:
    """Validate the query string of a list route. `works` routes take everything;
    the others reject the works-only parameters with the real API's messages."""
    problems: list[dict[str, object]] = []
    params = Params()

    def record(error: ValidationFailure) -> None:
        problems.extend(error.problems)

    for name in data:
        if name in KNOWN or name.startswith("query."):
            continue
        problems.append(problem("unknown-parameter", name, f"Parameter {name} specified but is unknown"))

    field_names = [n for n in data if n.startswith("query.")]
    if field_names and not works:
        problems.append(
            problem("parameter-not-allowed", "query.*", "This route does not support field query parameters")
        )
    for name in field_names:
        short = name[len("query.") :]
        if short not in FIELD_QUERIES:
            problems.append(
                problem(
                    "field-query-not-available",
                    short,
                    f"Field query {short} specified but there is no such field query for this route. "
                    f"Valid field queries for this route are: {', '.join(FIELD_QUERIES)}",
                )
            )
        elif text := clean_query(data.get(name, "")):
            params.field_queries[short] = text
    params.query = clean_query(data.get("query", ""))

    if not works:
        for name, what in (("sort", "sort"), ("order", "order"), ("sample", "sample"), ("facet", "facet")):
            if name in data:
                problems.append(problem("parameter-not-allowed", name, f"This route does not support {what}"))
        if "select" in data:
            problems.append(problem("parameter-not-allowed", "select", "This route does not support select"))
    if "filter" in data and not route_filters:
        problems.append(problem("parameter-not-allowed", "filter", "This route does not support filter"))

    try:
        params.filters = parse_filters(data.get("filter", "")) if route_filters else []
    except ValidationFailure as error:
        record(error)
    try:
        if "rows" in data:
            params.rows = _integer("rows", data["rows"], ROWS_MAX)
    except ValidationFailure as error:
        record(error)
    try:
        if "offset" in data:
            params.offset = _integer("offset", data["offset"], offset_max)
            if works and params.offset + params.rows > WORKS_OFFSET_MAX:
                raise fail(
                    "integer-not-valid",
                    data["offset"],
                    f"Offset plus rows must be less than or equal to {WORKS_OFFSET_MAX}. "
                    "Use the cursor parameter to page deeper.",
                )
    except ValidationFailure as error:
        record(error)
    if works:
        try:
            if "sample" in data:
                params.sample = _integer("sample", data["sample"], SAMPLE_MAX)
        except ValidationFailure as error:
            record(error)
        sort = data.get("sort", "").strip()
        if sort and sort not in SORTS:
            problems.append(
                problem(
                    "sort-field-not-valid",
                    sort,
                    f"Sort field specified as {sort} but must be one of: {', '.join(SORTS)}",
                )
            )
        params.sort = sort
        order = data.get("order", "desc").strip() or "desc"
        if order not in ("asc", "desc", "1", "-1"):
            problems.append(
                problem(
                    "sort-order-not-valid", order, f"Sort order specified as {order} but must be asc or desc"
                )
            )
        params.order = "asc" if order in ("asc", "1") else "desc"
        try:
            params.facets = _facets(data.get("facet", ""), facet_names or {})
        except ValidationFailure as error:
            record(error)
        selected = [s.strip() for s in data.get("select", "").split(",") if s.strip()]
        for name in selected:
            if name not in SELECTS:
                problems.append(
                    problem(
                        "select-not-available",
                        name,
                        f"Field {name} specified but there is no such field for this route. "
                        f"Valid fields for this route are: {', '.join(SELECTS)}",
                    )
                )
        params.select = selected
    if "cursor" in data:
        params.cursor = data["cursor"]
        if works and ("offset" in data or "sample" in data):
            problems.append(
                problem(
                    "cursor-with-offset-or-sample",
                    "cursor",
                    "Cursor cannot be combined with offset or sample",
                )
            )
    if problems:
        raise ValidationFailure(problems)
    return params


SINGLETON_REJECTED = (
    "query",
    "filter",
    "rows",
    "offset",
    "sample",
    "facet",
    "select",
    "sort",
    "order",
    "cursor",
)


def check_singleton(data: QueryDict) -> None:
    problems = []
    for name in data:
        if name == "mailto":
            continue
        if name in SINGLETON_REJECTED or name.startswith("query."):
            problems.append(
                problem("parameter-not-allowed", name, f"This route does not support the parameter {name}")
            )
        else:
            problems.append(problem("unknown-parameter", name, f"Parameter {name} specified but is unknown"))
    if problems:
        raise ValidationFailure(problems)
