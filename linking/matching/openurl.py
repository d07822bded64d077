"""OpenURL (`GET /openurl`): OpenURL 0.1 keys (and the rft. forms of 1.0) to a DOI.

A match redirects (302) to our resolver for the DOI unless `redirect=false`, which, like
`format=unixref`, answers the record as XML. No match: 404 with a body that says so.

`multihit=true`: when the evidence cannot choose one work, answer every candidate that
passed validation instead of a 404 (the real service shows a list), as XML: the XML
query's xsd_xml list (one `query` per work, status `multiresolved`, best first), or with
`format=unixref` one `doi_record` per work. A single match is answered as without it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from linking.matching.matcher import citation_outcome, citation_parse
from linking.matching.normalise import doi_normalise
from linking.matching.xmlquery_output import Answer, Query, unixref, xsd_xml
from linking.models import Work

KEYS = ("aulast", "title", "jtitle", "stitle", "atitle", "volume", "issue", "spage", "date", "issn", "isbn")
UNIXREF = "application/vnd.crossref.unixref+xml"
MAX_HITS = 20


def _param(request: HttpRequest, key: str) -> str:
    return (request.GET.get(key) or request.GET.get(f"rft.{key}") or "").strip()[:500]


def _flag(request: HttpRequest, name: str, *, default: bool) -> bool:
    value = request.GET.get(name, "").strip().lower()
    return value not in ("false", "0", "no") if value else default


def _not_found(message: str, status: int = 404) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _dois_of(request: HttpRequest) -> tuple[str, list[str], str]:
    """(the DOI, [], '') for a match; ('', every passing candidate, why) when the evidence
    cannot choose; ('', [], why) otherwise."""
    ids = request.GET.getlist("id") + request.GET.getlist("rft_id")
    for value in ids:
        value = value.strip()
        if value.lower().startswith(("doi:", "info:doi/")) or value.startswith("10."):
            doi = doi_normalise(value.replace("info:doi/", ""))
            if Work.objects.filter(doi=doi).exists():
                return doi, [], ""
            return "", [], f"The DOI {doi} is not registered here."
    fields = {key: _param(request, key) for key in KEYS}
    fields = {k: v for k, v in fields.items() if v}
    if "jtitle" in fields or "stitle" in fields:
        fields.setdefault("title", fields.get("jtitle") or fields.get("stitle"))
    fields.pop("jtitle", None)
    fields.pop("stitle", None)
    if not fields:
        return (
            "",
            [],
            "No query: give id=doi:..., or citation keys (aulast, title, volume, issue, spage, date, issn).",
        )
    outcome = citation_outcome(citation_parse(fields))
    if outcome.match is not None:
        return outcome.match.doi, [], ""
    return (
        "",
        [m.doi for m in outcome.passing[:MAX_HITS]],
        "No DOI matches this OpenURL with enough confidence.",
    )


def _xml(work: Work, request: HttpRequest) -> HttpResponse:
    from linking.formats import UnsupportedFormat, render

    try:
        rendered = render(work, UNIXREF)
    except UnsupportedFormat:
        return _not_found("The unixref format is not available on this server.", status=406)
    return HttpResponse(rendered.body, content_type="application/xml; charset=utf-8")


def _hits(dois: list[str], request: HttpRequest) -> HttpResponse:
    found = {w.doi: w for w in Work.objects.filter(doi__in=dois).select_related("organisation", "prefix")}
    works = [found[d] for d in dois if d in found]
    if not works:
        return _not_found("No DOI matches this OpenURL with enough confidence.")
    answer = Answer(Query(), "multiresolved", works)
    if request.GET.get("format", "").lower() == "unixref":
        body = unixref([answer])
    else:
        body = xsd_xml({}, [answer])
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


@require_GET
def openurl(request: HttpRequest) -> HttpResponse:
    doi, hits, why = _dois_of(request)
    if not doi and hits and _flag(request, "multihit", default=False):
        return _hits(hits, request)
    if not doi:
        return _not_found(why, status=400 if why.startswith("No query") else 404)
    redirect = _flag(request, "redirect", default=True)
    if request.GET.get("format", "").lower() == "unixref" or not redirect:
        return _xml(Work.objects.get(doi=doi), request)
    return HttpResponseRedirect(f"/{doi}")
