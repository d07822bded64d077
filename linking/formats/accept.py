"""HTTP Accept headers: media ranges with their parameters and q-values (RFC 9110 §12.5.1),
tolerant of the blanks clients put around `=` (`text/x-bibliography; style = apa`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


@dataclass
class MediaRange:
    type: str  # "text/x-bibliography", "text/*", "*/*"
    params: dict[str, str] = field(default_factory=dict)
    q: float = 1.0
    position: int = 0

    @property
    def specificity(self) -> int:
        if self.type == "*/*":
            return 0
        return 1 if self.type.endswith("/*") else 2


def _split(header: str, separator: str) -> list[str]:
    """Split on `separator` outside double quotes."""
    parts, current, quoted = [], [], False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header, best first (q, then specificity, then order).
    Ranges with q=0 (not acceptable) and malformed ranges are left out."""
    ranges = []
    for position, part in enumerate(_split(header or "", ",")):
        pieces = _split(part, ";")
        media = pieces[0].strip().lower()
        if "/" not in media:
            continue
        main, _, sub = media.partition("/")
        if not (_TOKEN.match(main) and _TOKEN.match(sub)) or (main == "*" and sub != "*"):
            continue
        params: dict[str, str] = {}
        q = 1.0
        for piece in pieces[1:]:
            name, equals, value = piece.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"').strip()
            if not equals or not name:
                continue
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
            else:
                params[name] = value
        if q > 0:
            ranges.append(MediaRange(type=media, params=params, q=q, position=position))
    ranges.sort(key=lambda r: (-r.q, -r.specificity, r.position))
    return ranges
