"""Output formats of a work: content negotiation on the resolver and
`/api/works/<doi>/transform`, landing-page exports, OAI-PMH and XML queries.

    media_type = negotiate(request.headers.get("Accept"))   # None: serve the landing page
    style, locale = bibliography_params(request.headers.get("Accept"))
    rendered = render(work, media_type, style=style, locale=locale)
    HttpResponse(rendered.body, content_type=rendered.content_type)

`negotiate` raises UnsupportedFormat when nothing we speak is acceptable (answer 406 with
MEDIA_TYPES); `render` raises UnknownStyle / UnknownLocale (both UnsupportedFormat, with a
message naming what was asked for) for a citation style or locale we do not have.
Each format is one module, fed by the same `Source` (the Work row and its WorkRecord)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from linking.formats import bibtex, citation, csl, dublin_core, rdf, ris, unixref
from linking.formats.accept import MediaRange, parse_accept
from linking.formats.common import Source
from linking.formats.errors import CitationStyleError, UnknownLocale, UnknownStyle, UnsupportedFormat

__all__ = [
    "ALIASES",
    "MEDIA_TYPES",
    "CitationStyleError",
    "Rendered",
    "Source",
    "UnknownLocale",
    "UnknownStyle",
    "UnsupportedFormat",
    "bibliography_params",
    "canonical",
    "negotiate",
    "parse_accept",
    "render",
]

CSL_JSON = "application/vnd.citationstyles.csl+json"
BIBLIOGRAPHY = "text/x-bibliography"

# What we answer, in the order we prefer when a client accepts a range (`application/*`).
MEDIA_TYPES = [
    CSL_JSON,
    "application/json",
    "application/x-bibtex",
    "application/x-research-info-systems",
    BIBLIOGRAPHY,
    unixref.UNIXREF,
    unixref.UNIXSD,
    rdf.RDF_XML,
    rdf.TURTLE,
]

# Other names clients use for the same formats -> the format's own media type.
ALIASES = {
    "application/citeproc+json": CSL_JSON,
    "text/bibliography": BIBLIOGRAPHY,
    "text/plain": BIBLIOGRAPHY,
    "application/unixref+xml": unixref.UNIXREF,
    "application/x-turtle": rdf.TURTLE,
    "text/n3": "text/n3",
    "application/n-triples": "application/n-triples",
    "text/n-triples": "application/n-triples",
}

# Media types that mean "the landing page".
HTML_TYPES = {"text/html", "application/xhtml+xml"}

_TEXT = "; charset=utf-8"


@dataclass
class Rendered:
    body: str | bytes
    content_type: str


def canonical(media_type: str) -> str | None:
    """The format a media type names (its own type or an alias), or None."""
    media_type = (media_type or "").split(";")[0].strip().lower()
    if media_type in MEDIA_TYPES:
        return media_type
    return ALIASES.get(media_type)


def _chosen(accept: str | None) -> MediaRange | None:
    ranges = parse_accept(accept)
    if not (accept or "").strip():
        return None
    for media in ranges:
        if media.type in HTML_TYPES or media.type in ("*/*", "text/*"):
            return None
        if canonical(media.type):
            return media
        if media.type.endswith("/*"):
            group = media.type[:-1]
            for offered in MEDIA_TYPES:
                if offered.startswith(group):
                    return MediaRange(type=offered, params=media.params, q=media.q, position=media.position)
    raise UnsupportedFormat(
        f"None of the media types in '{accept}' can be served; acceptable: {', '.join(MEDIA_TYPES)}"
    )


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with for this Accept header, or None when the client
    wants the landing page (HTML, */* or no header). Raises UnsupportedFormat.
    An alias comes back as asked (`application/json`, `text/plain`), so the answer's
    Content-Type is the one the client named; `render` takes either."""
    chosen = _chosen(accept)
    return chosen.type if chosen else None


def bibliography_params(accept: str | None) -> tuple[str, str]:
    """(style, locale) from the parameters of the Accept header's bibliography entry
    (`text/x-bibliography; style=ieee; locale=de-DE`), defaults apa and en-US."""
    for media in parse_accept(accept):
        if canonical(media.type) == BIBLIOGRAPHY:
            return (
                media.params.get("style") or citation.DEFAULT_STYLE,
                media.params.get("locale") or citation.DEFAULT_LOCALE,
            )
    return citation.DEFAULT_STYLE, citation.DEFAULT_LOCALE


def _bibliography(source: Source, style: str, locale: str) -> str:
    return citation.render(source, style=style, locale=locale)


RENDERERS: dict[str, Callable[[Source, str, str], str | bytes]] = {
    CSL_JSON: lambda s, style, locale: csl.render(s),
    "application/json": lambda s, style, locale: csl.render(s),
    "application/x-bibtex": lambda s, style, locale: bibtex.render(s),
    "application/x-research-info-systems": lambda s, style, locale: ris.render(s),
    BIBLIOGRAPHY: _bibliography,
    unixref.UNIXREF: lambda s, style, locale: unixref.render_unixref(s),
    unixref.UNIXSD: lambda s, style, locale: unixref.render_unixsd(s),
    rdf.RDF_XML: lambda s, style, locale: rdf.render_rdf_xml(s),
    rdf.TURTLE: lambda s, style, locale: rdf.render_turtle(s),
    "text/n3": lambda s, style, locale: rdf.graph(s).serialize(format="n3"),
    "application/n-triples": lambda s, style, locale: rdf.graph(s).serialize(format="nt"),
    "application/oai_dc+xml": lambda s, style, locale: dublin_core.render(s),
}


def render(
    work, media_type: str, *, style: str = citation.DEFAULT_STYLE, locale: str = citation.DEFAULT_LOCALE
) -> Rendered:
    """Render a registry `Work` in `media_type` (one of MEDIA_TYPES or an alias)."""
    asked = (media_type or "").split(";")[0].strip().lower()
    format_type = canonical(asked) or (asked if asked in RENDERERS else None)
    if format_type is None:
        raise UnsupportedFormat(
            f"'{media_type}' is not a format we serve; acceptable: {', '.join(MEDIA_TYPES)}"
        )
    source = work if isinstance(work, Source) else Source.of(work)
    body = RENDERERS[format_type](source, style or citation.DEFAULT_STYLE, locale or citation.DEFAULT_LOCALE)
    if format_type == BIBLIOGRAPHY and (style or "").lower() == "bibtex":
        return Rendered(body, "application/x-bibtex" + _TEXT)
    content_type = asked if asked in MEDIA_TYPES or asked in ALIASES else format_type
    if content_type.startswith("text/") or content_type in (
        "application/x-bibtex",
        "application/x-research-info-systems",
    ):
        content_type += _TEXT
    return Rendered(body, content_type)
