"""SQL over the registry's JSON column (`Work.data`) for SQLite and PostgreSQL alike.

Filters and facets on list-valued parts of a record (licenses, links, contributors,
affiliations...) need "some element of this array satisfies all of these conditions",
which the ORM cannot say portably (`contains` is PostgreSQL-only), so these helpers
write the two dialects' SQL and hand it back as ORM expressions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

WORK_DATA = '"linking_work"."data"'


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_path(path: Sequence[str | int]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else '."' + part.replace('"', "") + '"'
    return out


def _pg_path(path: Sequence[str | int]) -> str:
    return "{" + ",".join(str(p).replace(",", "").replace("}", "") for p in path) + "}"


def text_at(base: str, path: Sequence[str | int]) -> str:
    """SQL for the text value at `path` inside the JSON `base` (NULL when absent); for a
    scalar array element pass `path=()`."""
    if _postgres():
        return f"({base} #>> '{_pg_path(path)}')"
    if not path:
        return f"CAST({base} AS TEXT)"
    return f"json_extract({base}, '{_sqlite_path(path)}')"


def true_at(base: str, path: Sequence[str | int]) -> str:
    if _postgres():
        return f"({base} #>> '{_pg_path(path)}') = 'true'"
    return f"json_extract({base}, '{_sqlite_path(path)}') = 1"


def _elements(base: str, path: Sequence[str | int], alias: str) -> str:
    if _postgres():
        value = f"({base} #> '{_pg_path(path)}')"
        return (
            f"jsonb_array_elements(CASE WHEN jsonb_typeof({value}) = 'array' "
            f"THEN {value} ELSE '[]'::jsonb END) AS {alias}"
        )
    return f"json_each({base}, '{_sqlite_path(path)}') AS {alias}"


def _element_value(alias: str) -> str:
    return f"{alias}.value"


@dataclass(frozen=True)
class Cond:
    """One condition on the innermost array element: `path` inside it (() = the element
    itself), and `op`: eq, ieq, in, nonempty, true, lte (integer), like, award (normalised)."""

    path: tuple[str | int, ...]
    op: str
    value: object = None
    depth: int = -1  # which of the nested arrays' element; -1 the innermost


def _norm_award(sql: str) -> str:
    return f"replace(replace(replace(lower({sql}), ' ', ''), '_', ''), '-', '')"


def _cond_sql(alias: str, cond: Cond) -> tuple[str, list]:
    base = _element_value(alias)
    text = text_at(base, cond.path)
    if cond.op == "eq":
        return f"{text} = %s", [cond.value]
    if cond.op == "ieq":
        return f"lower({text}) = lower(%s)", [cond.value]
    if cond.op == "in":
        values = list(cond.value)  # type: ignore[arg-type]
        return f"{text} IN ({', '.join(['%s'] * len(values))})", values
    if cond.op == "nonempty":
        return f"COALESCE({text}, '') <> ''", []
    if cond.op == "true":
        return true_at(base, cond.path), []
    if cond.op == "lte":
        return f"CAST({text} AS INTEGER) <= %s", [cond.value]
    if cond.op == "like":
        return f"lower({text}) LIKE %s", [cond.value]
    if cond.op == "award":
        return f"{_norm_award(text)} = %s", [cond.value]
    raise ValueError(cond.op)


def exists_sql(arrays: Sequence[Sequence[str | int]], groups: Sequence[Sequence[Cond]]) -> tuple[str, list]:
    """SQL: some element of the nested arrays (`arrays[0]` in the work's data, `arrays[1]`
    inside each of those...) satisfies every group, where a group is satisfied when any
    of its conditions is (same-name OR, different-name AND, one sub-record)."""
    sources, base = [], WORK_DATA
    for depth, path in enumerate(arrays):
        alias = f"j{depth}"
        sources.append(_elements(base, path, alias))
        base = _element_value(alias)
    where, params = [], []
    for group in groups:
        parts = []
        for cond in group:
            depth = cond.depth if cond.depth >= 0 else len(arrays) - 1
            sql, p = _cond_sql(f"j{depth}", cond)
            parts.append(sql)
            params += p
        where.append("(" + " OR ".join(parts) + ")")
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return f"EXISTS (SELECT 1 FROM {', '.join(sources)}{clause})", params


def exists(arrays: Sequence[Sequence[str | int]], *groups: Sequence[Cond]) -> RawSQL:
    sql, params = exists_sql(arrays, groups)
    return RawSQL(sql, params, output_field=BooleanField())


def nonempty(path: Sequence[str | int]) -> RawSQL:
    return RawSQL(f"COALESCE({text_at(WORK_DATA, path)}, '') <> ''", [], output_field=BooleanField())


def is_true(path: Sequence[str | int]) -> RawSQL:
    return RawSQL(true_at(WORK_DATA, path), [], output_field=BooleanField())


def equals(path: Sequence[str | int], values: Sequence[str]) -> RawSQL:
    return RawSQL(
        f"{text_at(WORK_DATA, path)} IN ({', '.join(['%s'] * len(values))})",
        list(values),
        output_field=BooleanField(),
    )


def date_number(path: Sequence[str | int]) -> str:
    """SQL for a stored PartialDate ({year, month, day}) as YYYYMMDD, missing parts as 01."""

    def part(name: str) -> str:
        if _postgres():
            return f"CAST(({WORK_DATA} #>> '{_pg_path([*path, name])}') AS INTEGER)"
        return f"json_extract({WORK_DATA}, '{_sqlite_path([*path, name])}')"

    return f"({part('year')} * 10000 + COALESCE({part('month')}, 1) * 100 + COALESCE({part('day')}, 1))"


def date_parts_number(path: Sequence[str | int]) -> str:
    """The same for a REST-shaped date kept in `extra` (`{"date-parts": [[Y, M, D]]}`)."""

    def part(index: int) -> str:
        full = [*path, "date-parts", 0, index]
        if _postgres():
            return f"CAST(({WORK_DATA} #>> '{_pg_path(full)}') AS INTEGER)"
        return f"json_extract({WORK_DATA}, '{_sqlite_path(full)}')"

    return f"({part(0)} * 10000 + COALESCE({part(1)}, 1) * 100 + COALESCE({part(2)}, 1))"


def elements_select(
    arrays: Sequence[Sequence[str | int]], value_path: Sequence[str | int]
) -> tuple[str, str]:
    """(FROM-sources, value SQL) to group the elements of nested arrays by a value."""
    sources, base = [], WORK_DATA
    for depth, path in enumerate(arrays):
        alias = f"j{depth}"
        sources.append(_elements(base, path, alias))
        base = _element_value(alias)
    return ", ".join(sources), text_at(base, value_path)
