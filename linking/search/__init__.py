"""Full-text search over the registry: one small interface, a backend per database
(SQLite FTS5, PostgreSQL tsvector + GIN; see `backends.py`). Callers (REST API, HTML
search, the matcher) go through the functions here only.

How a query matches (the same on both databases):
- the text is folded to tokens (`text.tokens`), stopwords dropped;
- `bibliographic` (the search box, `query`, `query.bibliographic`, citation strings) is an
  OR of the tokens ranked by relevance, so a citation string full of words the record
  lacks still finds it. On a large registry (after `search_reindex` or
  `search_terms_refresh` has counted how many works hold each token) the OR keeps only
  the rarer tokens, as long as together they hold under 0.5 % of the works; when every
  token is common, the works holding the rarest ones *together* match instead. Every
  token still counts for the ranking;
- `query.<field>` (author, title, container-title, ...) is an OR of its tokens within
  that field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from linking.search.backends import TERMS_TABLE, Clause, backend
from linking.search.text import FIELD_CODES, FIELDS, document_of, field_token, query_tokens

__all__ = [
    "FIELDS",
    "UnknownSearchField",
    "index_works",
    "index_rebuild",
    "search_terms_refresh",
    "work_candidates",
    "works_matching",
    "works_ids_sql",
    "works_matching_fields",
]

MIN_BUDGET = 1000  # works an OR of rare tokens may touch, at least
BUDGET_SHARE = 200  # ... or 1/200 of the registry


class UnknownSearchField(ValueError):
    def __init__(self, field: str):
        super().__init__(f"There is no search field '{field}'. Fields: {', '.join(FIELDS)}.")
        self.field = field


def _term_docs(tokens: list[str]) -> tuple[int, dict[str, int]]:
    """(works in the index when last counted, works holding each token); (0, {}) if never counted."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, docs FROM {TERMS_TABLE} WHERE term IN ({', '.join(['%s'] * (len(tokens) + 1))})",
            ["", *tokens],
        )
        counts = dict(cursor.fetchall())
    return counts.pop("", 0), counts


def _rarity(total: int, docs: int) -> float:
    """bm25's inverse document frequency of a token held by `docs` of `total` works."""
    return round(math.log(1 + (total - docs + 0.5) / (docs + 0.5)), 4)


def bibliographic_clause(tokens: list[str], *, budget: int | None = None) -> Clause:
    """The clause for bibliographic tokens, pruned by token frequency on a large registry."""
    rank = tuple(tokens)
    total, docs = _term_docs(tokens)
    if not total:
        return Clause("bib", tuple((t,) for t in tokens), rank)
    rarity = tuple(_rarity(total, docs.get(t, 0)) for t in tokens)
    budget = budget if budget is not None else max(MIN_BUDGET, total // BUDGET_SHARE)
    unseen = [t for t in tokens if not docs.get(t)]  # unknown when counted: rare, or new
    known = sorted((t for t in tokens if docs.get(t)), key=lambda t: (docs[t], t))
    rare, held = [], 0
    for token in known:
        if held + docs[token] > budget:
            break
        rare.append(token)
        held += docs[token]
    groups: list[tuple[str, ...]] = [(t,) for t in unseen + rare]
    if not rare and known:
        # Every known token is common: the rarest ones together, as many as still match.
        sizes = sorted(
            {len(known), max(2, (2 * len(known)) // 3), max(2, len(known) // 2), 2, 1}, reverse=True
        )
        for size in (s for s in sizes if s <= len(known)):
            group = tuple(known[:size])
            if size == 1 or backend().any_match(Clause("bib", (group,), group)):
                groups.append(group)
                break
    return Clause("bib", tuple(groups), rank, rarity)


def _clause(field: str, text: str, *, budget: int | None = None) -> Clause | None:
    tokens = query_tokens(text)
    if not tokens:
        return None
    if field == "bibliographic":
        return bibliographic_clause(tokens, budget=budget)
    if field not in FIELD_CODES:
        raise UnknownSearchField(field)
    qualified = tuple(field_token(field, t) for t in tokens)
    return Clause("fields", tuple((t,) for t in qualified), qualified)


def works_matching_fields(works: QuerySet, queries: Mapping[str, str]) -> QuerySet:
    """Narrow `works` to those matching every `{field: text}` (fields ANDed, each one an
    OR of its words) and annotate `relevance` (float, higher is better). A text with no
    searchable word (empty, only stopwords or punctuation) matches nothing. Call once per
    queryset: the relevance of a second call would replace the first."""
    if "relevance" in works.query.extra_select:
        raise ValueError(
            "works_matching was already applied: pass every field to works_matching_fields at once"
        )
    for field in queries:
        if field not in FIELDS:
            raise UnknownSearchField(field)
    clauses = [_clause(field, text) for field, text in queries.items()]
    if not clauses or any(c is None for c in clauses):
        return works.extra(select={"relevance": "0.0"}).none()
    return backend().narrow(works, clauses)


def works_matching(works: QuerySet, text: str, *, field: str = "bibliographic") -> QuerySet:
    """Narrow `works` to those matching `text` in `field` (bibliographic, title, author,
    container-title, publisher-name, affiliation, editor, funder-name, ...: see
    `FIELDS`) and annotate each with `relevance` (a float, higher is better); order by
    `-relevance` for best first. Unknown field: `UnknownSearchField` (a ValueError)."""
    return works_matching_fields(works, {field: text})


def works_ids_sql(works: QuerySet) -> RawSQL:
    """`works` as SQL for `pk__in=` compiled on its own. Use it instead of
    `pk__in=works.values("pk")`: the search adds raw SQL naming the table `linking_work`,
    which an ORM subquery renames (and so breaks, or silently correlates)."""
    if works.query.is_empty():  # `.none()` (a text with no searchable word) compiles to no SQL
        return RawSQL("SELECT id FROM linking_work WHERE 1 = 0", [])
    sql, params = works.order_by().values("pk").query.sql_with_params()
    return RawSQL(sql, params)


def work_candidates(text: str, *, limit: int = 20, field: str = "bibliographic") -> list[tuple[int, float]]:
    """The `limit` best (work id, relevance) for `text`, best first, straight from the
    index (no join with the works table): the fast road for citation matching."""
    clause = _clause(field, text)
    if clause is None:
        return []
    return backend().top([clause], limit)


def index_works(work_ids: Iterable[int]) -> None:
    """(Re)build the search text of these works. Called by registration inside its
    transaction, so a work is findable the moment its batch commits; works that no
    longer exist are dropped from the index."""
    from linking.models import Work

    ids = sorted(set(work_ids))
    if not ids:
        return
    search = backend()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        rows = Work.objects.filter(pk__in=chunk).values_list(
            "pk", "doi", "issued", "data", "organisation__name"
        )
        documents = [
            (pk, document_of(data, doi=doi, issued=issued or "", publisher=publisher or ""))
            for pk, doi, issued, data, publisher in rows
        ]
        gone = set(chunk) - {pk for pk, _ in documents}
        if gone:
            search.delete(sorted(gone))
        if documents:
            search.write(documents)


def index_rebuild(*, batch: int = 5000, progress=None) -> int:
    """Rebuild the whole index from the works table and recount token frequencies
    (on PostgreSQL the GIN indexes are dropped meanwhile and built once at the end, so
    searches during a rebuild are slow and incomplete). Returns the number of works indexed."""
    from linking.models import Work

    search = backend()
    search.clear()
    done = 0
    last = 0
    with search.bulk():
        while True:
            ids = list(Work.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            index_works(ids)
            done += len(ids)
            last = ids[-1]
            if progress:
                progress(done)
    search_terms_refresh()
    return done


def search_terms_refresh() -> None:
    """Recount how many works hold each bibliographic token (used to prune long OR
    queries on a large registry). Cheap to skip on a small one; run it after bulk loads
    and now and then (the `linking.search.tasks.refresh_search_terms` task)."""
    backend().refresh_stats()
