"""Output formats of a work: content negotiation on the resolver and
`/api/works/<doi>/transform`, landing-page exports, OAI-PMH and XML queries."""

from __future__ import annotations

import json
from dataclasses import dataclass


class UnsupportedFormat(Exception):
    """No format we speak satisfies the request (the caller answers 406 with MEDIA_TYPES)."""


MEDIA_TYPES = ["application/json"]


@dataclass
class Rendered:
    body: str | bytes
    content_type: str


def negotiate(accept: str) -> str | None:
    """The media type to answer with for this Accept header, or None when the client
    wants the landing page (HTML, */* or no header). Raises UnsupportedFormat."""
    if not accept or "text/html" in accept or "*/*" in accept:
        return None
    for media_type in MEDIA_TYPES:
        if media_type in accept:
            return media_type
    raise UnsupportedFormat(accept)


def render(work, media_type: str, *, style: str = "apa", locale: str = "en-US") -> Rendered:
    """Render a registry `Work` in `media_type`. Placeholder: JSON of the stored record."""
    if media_type not in MEDIA_TYPES:
        raise UnsupportedFormat(media_type)
    return Rendered(json.dumps(work.data), media_type)
