"""Resumption tokens: stateless and opaque. A token carries the request (metadataPrefix,
from, until, set), the keyset position of the last record sent (indexed_at, id), the
cursor and the complete list size, signed so that a client cannot forge a position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing

SALT = "linking.oai.resumption"


class BadToken(Exception):
    pass


@dataclass(frozen=True)
class Position:
    verb: str
    prefix: str
    start: str  # ISO instants of the window, "" when open
    end: str
    set_spec: str
    after_time: str
    after_id: int
    cursor: int
    total: int


def token_dumps(position: Position) -> str:
    return signing.dumps(
        [
            position.verb,
            position.prefix,
            position.start,
            position.end,
            position.set_spec,
            position.after_time,
            position.after_id,
            position.cursor,
            position.total,
        ],
        salt=SALT,
        compress=True,
    )


def token_loads(token: str) -> Position:
    try:
        values = signing.loads(token, salt=SALT)
        position = Position(*values)
        datetime.fromisoformat(position.after_time)
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from exc
    return position
