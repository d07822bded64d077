"""`facet=name:count` on works routes: per facet, the most frequent values among the
works matching the request, as {"value-count": n, "values": {value: count}} (spec 3.7)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from linking.api import jsonsql
from linking.api.render import kebab
from linking.api.types import type_label

# Facet name → the most values it may return.
FACETS = {
    "affiliation": 1000,
    "archive": 1000,
    "assertion": 1000,
    "assertion-group": 1000,
    "category-name": 1000,
    "container-title": 100,
    "funder-doi": 1000,
    "funder-name": 1000,
    "issn": 100,
    "journal-issue": 1000,
    "journal-volume": 1000,
    "license": 1000,
    "link-application": 1000,
    "orcid": 100,
    "published": 1000,
    "publisher-name": 1000,
    "relation-type": 1000,
    "ror-id": 1000,
    "source": 1000,
    "type-name": 1000,
    "update-type": 1000,
}

W = '"linking_work"'
# Facets over a column of the work, or a join: (FROM, value SQL, extra WHERE).
SIMPLE = {
    "type-name": (W, f'{W}."type"', ""),
    "published": (W, f'substr({W}."issued", 1, 4)', f" AND {W}.\"issued\" <> ''"),
    "container-title": (W, f'{W}."container_title"', f" AND {W}.\"container_title\" <> ''"),
    "journal-volume": (W, f'{W}."volume"', f" AND {W}.\"volume\" <> ''"),
    "journal-issue": (W, f'{W}."issue"', f" AND {W}.\"issue\" <> ''"),
    "publisher-name": (
        f'{W} JOIN "accounts_organisation" o ON o."id" = {W}."organisation_id"',
        'o."name"',
        "",
    ),
    "funder-name": (
        f'{W} JOIN "linking_workfunder" f ON f."work_id" = {W}."id"',
        'f."name"',
        " AND f.\"name\" <> ''",
    ),
    "funder-doi": (
        f'{W} JOIN "linking_workfunder" f ON f."work_id" = {W}."id"',
        'f."funder_id"',
        " AND f.\"funder_id\" LIKE '10.13039/%%'",
    ),
    "relation-type": (
        f'{W} JOIN "linking_workrelation" r ON r."work_id" = {W}."id"',
        'r."type"',
        " AND r.\"kind\" = 'relation'",
    ),
    "update-type": (
        f'{W} JOIN "linking_workrelation" r ON r."work_id" = {W}."id"',
        'r."type"',
        " AND r.\"kind\" = 'update'",
    ),
    "issn": (
        f'{W} JOIN "linking_titleidentifier" t ON t."title_id" = {W}."container_id"',
        't."value"',
        " AND t.\"scheme\" = 'issn'",
    ),
}
# Facets over elements of the stored record: (arrays, value path inside the element).
IN_RECORD = {
    "affiliation": ([("contributors",), ("affiliations",)], ("name",)),
    "archive": ([("archive_locations",)], ()),
    "assertion": ([("crossmark", "assertions")], ("name",)),
    "assertion-group": ([("crossmark", "assertions")], ("group", "name")),
    "category-name": ([("extra", "subject")], ()),
    "license": ([("licenses",)], ("url",)),
    "link-application": ([("links",)], ("intended_application",)),
    "orcid": ([("contributors",)], ("orcid",)),
    "ror-id": ([("contributors",), ("affiliations",), ("ids",)], ("id",)),
}


def _spelling(name: str, value: str) -> str:
    if name == "type-name":
        return type_label(value)
    if name == "funder-doi":
        return "http://dx.doi.org/" + value
    if name == "issn":
        return f"http://id.crossref.org/issn/{value[:4]}-{value[4:]}" if len(value) == 8 else value
    if name == "orcid":
        return "http://orcid.org/" + value.rsplit("/", 1)[-1]
    if name == "relation-type":
        return kebab(value)
    return value


def works_facets(works: QuerySet, wanted: dict[str, int], total: int) -> dict[str, Any]:
    if not wanted:
        return {}
    ids_sql, ids_params = works.order_by().values("pk").query.sql_with_params()
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for name, limit in wanted.items():
            if name == "source":
                values = {"Crossref": total} if total else {}
                out[name] = {"value-count": len(values), "values": values}
                continue
            if name in SIMPLE:
                source, value_sql, extra = SIMPLE[name]
            else:
                arrays, path = IN_RECORD[name]
                sources, value_sql = jsonsql.elements_select(arrays, path)
                source, extra = f"{W}, {sources}", f" AND COALESCE({value_sql}, '') <> ''"
            cursor.execute(
                f'SELECT {value_sql}, COUNT(DISTINCT {W}."id") FROM {source} '
                f'WHERE {W}."id" IN ({ids_sql}){extra} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {int(limit)}',
                ids_params,
            )
            values: dict[str, int] = {}
            for value, count in cursor.fetchall():
                if value is None:
                    continue
                key = _spelling(name, str(value))
                values[key] = values.get(key, 0) + int(count)
            out[name] = {"value-count": len(values), "values": values}
    return out
