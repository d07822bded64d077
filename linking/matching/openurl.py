"""OpenURL (`GET /openurl`): OpenURL 0.1 keys (and the rft. forms of 1.0) to a DOI.

A match redirects (302) to our resolver for the DOI unless `redirect=false`, which, like
`format=unixref`, answers the record as XML. No match: 404 with a body that says so."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from linking.matching.matcher import reference_match
from linking.matching.normalise import doi_normalise
from linking.models import Work

KEYS = ("aulast", "title", "jtitle", "stitle", "atitle", "volume", "issue", "spage", "date", "issn", "isbn")
UNIXREF = "application/vnd.crossref.unixref+xml"


def _param(request: HttpRequest, key: str) -> str:
    return (request.GET.get(key) or request.GET.get(f"rft.{key}") or "").strip()[:500]


def _not_found(message: str, status: int = 404) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _doi_of(request: HttpRequest) -> tuple[str, str]:
    """(DOI, '') for a match, ('', why) otherwise."""
    ids = request.GET.getlist("id") + request.GET.getlist("rft_id")
    for value in ids:
        value = value.strip()
        if value.lower().startswith(("doi:", "info:doi/")) or value.startswith("10."):
            doi = doi_normalise(value.replace("info:doi/", ""))
            if Work.objects.filter(doi=doi).exists():
                return doi, ""
            return "", f"The DOI {doi} is not registered here."
    fields = {key: _param(request, key) for key in KEYS}
    fields = {k: v for k, v in fields.items() if v}
    if "jtitle" in fields or "stitle" in fields:
        fields.setdefault("title", fields.get("jtitle") or fields.get("stitle"))
    fields.pop("jtitle", None)
    fields.pop("stitle", None)
    if not fields:
        return (
            "",
            "No query: give id=doi:..., or citation keys (aulast, title, volume, issue, spage, date, issn).",
        )
    found = reference_match(fields)
    if found is None:
        return "", "No DOI matches this OpenURL with enough confidence."
    return found.doi, ""


def _xml(work: Work, request: HttpRequest) -> HttpResponse:
    from linking.formats import UnsupportedFormat, render

    try:
        rendered = render(work, UNIXREF)
    except UnsupportedFormat:
        return _not_found("The unixref format is not available on this server.", status=406)
    return HttpResponse(rendered.body, content_type="application/xml; charset=utf-8")


@require_GET
def openurl(request: HttpRequest) -> HttpResponse:
    doi, why = _doi_of(request)
    if not doi:
        return _not_found(why, status=400 if why.startswith("No query") else 404)
    redirect = request.GET.get("redirect", "true").lower() not in ("false", "0", "no")
    if request.GET.get("format", "").lower() == "unixref" or not redirect:
        return _xml(Work.objects.get(doi=doi), request)
    return HttpResponseRedirect(f"/{doi}")
