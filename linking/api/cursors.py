"""Deep paging with `cursor`: stateless, signed, URL-safe tokens.

A token carries where the previous page ended: the sort value and id of its last work
(keyset paging, for column sorts and the default order), or an offset (relevance and
computed sorts). It also carries the exact `total-results` counted on the first page and
a digest of the request it belongs to, so a token is refused with another query. Tokens
never expire; a harvest can stop and resume later."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

SALT = "linking.api.cursor"


class CursorInvalid(Exception):
    pass


@dataclass
class Position:
    total: int
    key: list[Any] | None = None  # [sort value, id] of the last row
    offset: int = 0


def request_digest(path: str, params: dict[str, str]) -> str:
    """Which request a cursor belongs to: the route and every parameter but paging."""
    kept = sorted((k, v) for k, v in params.items() if k not in ("cursor", "rows", "mailto"))
    return hashlib.sha1(repr((path.replace("/v1/", "/"), kept)).encode()).hexdigest()[:16]


def encode(position: Position, digest: str) -> str:
    payload = {"d": digest, "t": position.total, "o": position.offset}
    if position.key is not None:
        value, pk = position.key
        payload["k"] = [value.isoformat() if isinstance(value, datetime) else value, pk]
    return signing.dumps(payload, salt=SALT, compress=True)


def decode(token: str, digest: str) -> Position | None:
    """None for `*` (the first page); CursorInvalid for anything not issued for this request."""
    if token.strip() == "*":
        return None
    try:
        payload = signing.loads(token.strip(), salt=SALT)
    except signing.BadSignature as error:
        raise CursorInvalid(token) from error
    if not isinstance(payload, dict) or payload.get("d") != digest:
        raise CursorInvalid(token)
    key = payload.get("k")
    return Position(total=int(payload.get("t", 0)), key=key, offset=int(payload.get("o", 0)))


def after(works: QuerySet, column: str, descending: bool, key: list[Any], is_datetime: bool) -> QuerySet:
    """The rows strictly after `key` in the order (column, id)."""
    value, pk = key
    if is_datetime and isinstance(value, str):
        value = datetime.fromisoformat(value)
    op = "lt" if descending else "gt"
    # The outer bound alone is a range on the column's index; the tie-break on id is then
    # a filter, so the database walks the index instead of sorting every later row.
    return works.filter(
        Q(**{f"{column}__{op}e": value}), Q(**{f"{column}__{op}": value}) | Q(**{f"pk__{op}": pk})
    )
