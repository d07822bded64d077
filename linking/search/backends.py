"""The two search backends: SQLite FTS5 and PostgreSQL tsvector/GIN.

Both keep one row per work in a table named `linking_search` keyed by the work's id
(created by migration linking 0003) and answer the same `Clause`s the same way: which works
match is decided by the same tokens and the same boolean expression on both; only the
relevance figure differs (bm25 on SQLite, ts_rank_cd on PostgreSQL, where the matcher's
candidates are ranked first by the summed rarity of the tokens a work holds)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import QuerySet

from linking.search.text import Document

TABLE = "linking_search"
TERMS_TABLE = "linking_search_term"
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position


@dataclass(frozen=True)
class Clause:
    """One query on one part of the index. A work matches when any `groups` entry has all
    its tokens (an OR of ANDs); `rank` (every query token) orders the matches."""

    section: str  # "bib" | "fields"
    groups: tuple[tuple[str, ...], ...]
    rank: tuple[str, ...]
    # How much each `rank` token tells (inverse document frequency), when the token counts
    # are known; PostgreSQL's `top` ranks by them (ts_rank_cd knows no rarity).
    rarity: tuple[float, ...] = ()


class SqliteBackend:
    weights = "5.0, 3.0, 2.0, 1.0, 3.0"  # t, a, c, o, f

    @staticmethod
    def _quote(token: str) -> str:
        return f'"{token}"'

    def _expression(self, clauses: Sequence[Clause]) -> str:
        parts = []
        for clause in clauses:
            columns = "{t a c o}" if clause.section == "bib" else "f"
            groups = [
                " AND ".join(self._quote(t) for t in group)
                if len(group) == 1
                else "(" + " AND ".join(self._quote(t) for t in group) + ")"
                for group in clause.groups
            ]
            parts.append(f"({columns} : ({' OR '.join(groups)}))")
            if set(clause.rank) - {t for g in clause.groups for t in g}:
                # Implied by the filter, so it only adds the other words to bm25's count.
                parts.append(f"({columns} : ({' OR '.join(self._quote(t) for t in clause.rank)}))")
        return " AND ".join(parts)

    def narrow(self, works: QuerySet, clauses: Sequence[Clause]) -> QuerySet:
        return works.extra(
            select={"relevance": f"-bm25({TABLE}, {self.weights})"},
            tables=[TABLE],
            where=[f"{TABLE}.rowid = linking_work.id", f"{TABLE} MATCH %s"],
            params=[self._expression(clauses)],
        )

    def top(self, clauses: Sequence[Clause], limit: int) -> list[tuple[int, float]]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({TABLE}, {self.weights}) AS r FROM {TABLE} "
                f"WHERE {TABLE} MATCH %s ORDER BY r DESC, rowid LIMIT %s",
                [self._expression(clauses), limit],
            )
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def any_match(self, clause: Clause) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT 1", [self._expression([clause])]
            )
            return cursor.fetchone() is not None

    def write(self, documents: Sequence[tuple[int, Document]]) -> None:
        ids = [work_id for work_id, _ in documents]
        with connection.cursor() as cursor:
            self._delete(cursor, ids)
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, t, a, c, o, f) VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (work_id, *(" ".join(s) for s in doc.sections), " ".join(doc.fields))
                    for work_id, doc in documents
                ],
            )

    def delete(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, ids)

    @staticmethod
    def _delete(cursor, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    @contextmanager
    def bulk(self):
        yield

    def refresh_stats(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TERMS_TABLE}")
            cursor.execute(
                f"INSERT INTO {TERMS_TABLE} (term, docs) SELECT term, doc FROM linking_search_vocab "
                "WHERE length(term) <= 80"
            )
            cursor.execute(f"INSERT INTO {TERMS_TABLE} (term, docs) SELECT '', count(*) FROM {TABLE}")


class PostgresBackend:
    bib_weights = "'{0.1, 0.2, 0.5, 1.0}'"  # D other, C container, B authors, A title

    @staticmethod
    def _tsquery(groups: Sequence[Sequence[str]]) -> str:
        parts = []
        for group in groups:
            inner = " & ".join(f"'{t}'" for t in group)
            parts.append(inner if len(group) == 1 else f"({inner})")
        return " | ".join(parts)

    def _rank_sql(self, clause: Clause) -> str:
        if clause.section == "bib":
            return f"ts_rank_cd({self.bib_weights}, {TABLE}.bib, %s::tsquery)"
        return f"ts_rank_cd({TABLE}.f, %s::tsquery)"

    def _parts(self, clauses: Sequence[Clause]) -> tuple[str, list, list[str], list]:
        rank_sql = " + ".join(self._rank_sql(c) for c in clauses)
        rank_params = [self._tsquery([(t,) for t in c.rank]) for c in clauses]
        where = [f"{TABLE}.{'bib' if c.section == 'bib' else 'f'} @@ %s::tsquery" for c in clauses]
        where_params = [self._tsquery(c.groups) for c in clauses]
        return rank_sql, rank_params, where, where_params

    def narrow(self, works: QuerySet, clauses: Sequence[Clause]) -> QuerySet:
        rank_sql, rank_params, where, where_params = self._parts(clauses)
        return works.extra(
            select={"relevance": rank_sql},
            select_params=rank_params,
            tables=[TABLE],
            where=[f"{TABLE}.work_id = linking_work.id", *where],
            params=where_params,
        )

    def top(self, clauses: Sequence[Clause], limit: int) -> list[tuple[int, float]]:
        """The best `limit` matches. Ranked first by the summed rarity of the query tokens
        each holds (like bm25's IDF: a rare surname outweighs "journal" and "ecology"),
        then by ts_rank_cd; without token counts every token weighs the same."""
        rank_sql, rank_params, where, where_params = self._parts(clauses)
        held_sql, held_params = [], []
        for clause in clauses:
            column = "bib" if clause.section == "bib" else "f"
            rarity = clause.rarity or (1.0,) * len(clause.rank)
            for token, weight in zip(clause.rank, rarity, strict=True):
                held_sql.append(f"(CASE WHEN {TABLE}.{column} @@ %s::tsquery THEN %s ELSE 0 END)")
                held_params += [f"'{token}'", weight]
        held = " + ".join(held_sql) or "0"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT work_id, {held} AS h, {rank_sql} AS r FROM {TABLE} WHERE {' AND '.join(where)} "
                "ORDER BY h DESC, r DESC, work_id LIMIT %s",
                [*held_params, *rank_params, *where_params, limit],
            )
            return [(row[0], float(row[1]) + float(row[2])) for row in cursor.fetchall()]

    def any_match(self, clause: Clause) -> bool:
        _, _, where, where_params = self._parts([clause])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {TABLE} WHERE {where[0]} LIMIT 1", where_params)
            return cursor.fetchone() is not None

    @staticmethod
    def _vector(sections: Sequence[Sequence[str]], weights: str) -> str:
        """A tsvector literal with positions and a weight per section ('A'..'D')."""
        positions: dict[str, list[str]] = {}
        position = 0
        for section, weight in zip(sections, weights, strict=True):
            for token in section:
                position = min(position + 1, MAX_POSITION)
                positions.setdefault(token, []).append(f"{position}{weight}")
        return " ".join(f"'{token}':{','.join(p[:256])}" for token, p in positions.items())

    def write(self, documents: Sequence[tuple[int, Document]]) -> None:
        rows = [
            (work_id, self._vector(doc.sections, "ABCD"), self._vector([doc.fields], "D"))
            for work_id, doc in documents
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (work_id, bib, f) VALUES (%s, %s::tsvector, %s::tsvector) "
                "ON CONFLICT (work_id) DO UPDATE SET bib = EXCLUDED.bib, f = EXCLUDED.f",
                rows,
            )

    def delete(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE work_id = ANY(%s)", [list(ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            # Not TRUNCATE: it refuses while the cascade from deleted works is pending.
            cursor.execute(f"DELETE FROM {TABLE}")

    @contextmanager
    def bulk(self):
        """Drop the GIN indexes while the whole index is rewritten; build them once after."""
        with connection.cursor() as cursor:
            # Index DDL refuses to run while deferred cascades (deleted works) are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DROP INDEX IF EXISTS linking_search_bib")
            cursor.execute("DROP INDEX IF EXISTS linking_search_f")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS linking_search_bib ON {TABLE} USING gin (bib)")
                cursor.execute(f"CREATE INDEX IF NOT EXISTS linking_search_f ON {TABLE} USING gin (f)")

    def refresh_stats(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TERMS_TABLE}")
            cursor.execute(
                f"INSERT INTO {TERMS_TABLE} (term, docs) "
                f"SELECT word, ndoc FROM ts_stat('SELECT bib FROM {TABLE}') "
                "WHERE length(word) <= 80"
            )
            cursor.execute(f"INSERT INTO {TERMS_TABLE} (term, docs) SELECT '', count(*) FROM {TABLE}")


def backend() -> SqliteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"No search backend for the {connection.vendor} database")


def index_prune(using: str = "default") -> None:
    """Drop index rows of works that no longer exist, and the term counts too when no work
    is left. Runs after `migrate` and after `flush` (both send post_migrate): flush empties
    the tables Django knows, and the index tables are not among them."""
    conn = connections[using]
    key = "rowid" if conn.vendor == "sqlite" else "work_id"
    with conn.cursor() as cursor:
        if TABLE not in conn.introspection.table_names(cursor):
            return  # the search migration has not run yet
        cursor.execute(f"DELETE FROM {TABLE} WHERE {key} NOT IN (SELECT id FROM linking_work)")
        cursor.execute("SELECT 1 FROM linking_work LIMIT 1")
        if cursor.fetchone() is None:
            cursor.execute(f"DELETE FROM {TERMS_TABLE}")
