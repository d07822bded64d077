"""The resolver: /<doi> and /doi/<doi> redirect to the registered URL; content negotiation
answers with metadata instead; unknown DOIs get a page to report them."""

from __future__ import annotations

from urllib.parse import quote, unquote_plus, urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe

from linking import formats
from linking.resolver import selectors, services
from linking.resolver.counts import resolution_record
from linking.resolver.doi import MalformedDoi, doi_alternative, doi_normalise
from linking.resolver.forms import DoiErrorReportForm

OWN_PARAMETERS = {"locatt"}
FORMAT_PARAMETERS = {"style", "locale"}
REPORTS_PER_HOUR = 20


SAFE_SCHEMES = ("http://", "https://", "ftp://")


def _safe(url: str) -> bool:
    """Only web addresses are followed or linked: a stored `javascript:` or `data:` URL is
    shown as text, never sent as a Location or an href."""
    return url.lower().startswith(SAFE_SCHEMES)


def passed_query(query_string: str, own: set[str] = OWN_PARAMETERS) -> str:
    """The request's query string as sent, less the resolver's own parameters."""
    kept = [p for p in query_string.split("&") if p and unquote_plus(p.split("=", 1)[0]) not in own]
    return "&".join(kept)


def with_query(url: str, query: str) -> str:
    """`url` with `query` appended (before any fragment), joined with '?' or '&' as needed."""
    if not query:
        return url
    base, hash_, fragment = url.partition("#")
    if base.endswith(("?", "&")):
        joiner = ""
    else:
        joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}{query}{hash_}{fragment}"


def accept_parameters(accept: str, media_type: str) -> dict[str, str]:
    """Parameters given with `media_type` in an Accept header, e.g. style and locale of
    `text/x-bibliography; style=apa; locale=en-US`."""
    for entry in accept.split(","):
        kind, *params = (p.strip() for p in entry.split(";"))
        if kind.lower() == media_type.lower():
            pairs = (p.partition("=") for p in params)
            return {k.strip().lower(): v.strip().strip('"') for k, _, v in pairs if k.strip()}
    return {}


def _find(raw: str):
    """The DOI and its target for a path, trying a once-more-decoded reading when the path
    still holds percent-escapes. Raises MalformedDoi."""
    try:
        doi = doi_normalise(raw)
    except MalformedDoi:
        alternative = doi_alternative(raw)
        if alternative is None:
            raise
        doi = doi_normalise(alternative)
        return doi, selectors.resolution_target(doi)
    target = selectors.resolution_target(doi)
    if target is None and (alternative := doi_alternative(doi)):
        try:
            target = selectors.resolution_target(doi_normalise(alternative))
        except MalformedDoi:
            return doi, None
    return (target.doi if target else doi), target


@require_safe
def resolve(request: HttpRequest, doi: str) -> HttpResponse:
    try:
        doi, target = _find(doi)
    except MalformedDoi as error:
        return render(request, "resolver/malformed.html", {"doi": doi, "reason": str(error)}, status=404)
    if target is None:
        return unknown(request, doi)
    resolution_record(target.doi)
    accept = request.headers.get("Accept", "")
    try:
        media_type = formats.negotiate(accept)
    except formats.UnsupportedFormat:
        return _vary(not_acceptable(accept))
    if media_type is not None:
        return _vary(_negotiated(request, target, media_type, accept))
    query = passed_query(request.META.get("QUERY_STRING", ""))
    if target.multiple:
        options = selectors.locations(target.work_id)
        locatt = request.GET.get("locatt", "")
        chosen = selectors.location_chosen(options, locatt) if locatt else None
        if chosen is None or not _safe(chosen.url):
            return _vary(_choices(request, target, options, query, locatt))
        return _vary(HttpResponseRedirect(with_query(chosen.url, query)))
    if not _safe(target.url):
        # Registered without a web address (records imported without one, or a URL we will
        # not follow): the DOI still resolves, to its landing page here.
        return _vary(HttpResponseRedirect(_landing_page(target.doi)))
    return _vary(HttpResponseRedirect(with_query(target.url, query)))


def _landing_page(doi: str) -> str:
    try:
        return reverse("landing:work", kwargs={"doi": doi})
    except NoReverseMatch:
        return "/works/" + quote(doi, safe="/")


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["Accept"])
    return response


def _negotiated(request: HttpRequest, target, media_type: str, accept: str) -> HttpResponse:
    options = accept_parameters(accept, media_type)
    style = request.GET.get("style") or options.get("style") or "apa"
    locale = request.GET.get("locale") or options.get("locale") or "en-US"
    work = selectors.work_for_rendering(target.work_id)
    try:
        rendered = formats.render(work, media_type, style=style, locale=locale)
    except formats.UnsupportedFormat as error:
        return not_acceptable(accept, detail=str(error))
    response = HttpResponse(rendered.body, content_type=rendered.content_type)
    response["Link"] = f'<{request.build_absolute_uri("/" + quote(target.doi, safe="/"))}>; rel="canonical"'
    return response


def not_acceptable(accept: str, detail: str = "") -> HttpResponse:
    lines = [
        f"None of the formats in the Accept header ({accept}) is available for this DOI.",
        *([detail] if detail and detail != accept else []),
        "Available formats:",
        *(f"  {media_type}" for media_type in formats.MEDIA_TYPES),
        "  text/html (the landing page)",
    ]
    return HttpResponse("\n".join(lines) + "\n", status=406, content_type="text/plain; charset=utf-8")


def _choices(request, target, options, query: str, locatt: str) -> HttpResponse:
    context = {
        "doi": target.doi,
        "options": [
            (option, with_query(option.url, query) if _safe(option.url) else "") for option in options
        ],
        "locatt": locatt,
    }
    return render(
        request,
        "resolver/choices.html",
        context,
        status=300 if any(h for _, h in context["options"]) else 404,
    )


def unknown(request: HttpRequest, doi: str, form: DoiErrorReportForm | None = None) -> HttpResponse:
    form = form or DoiErrorReportForm(initial={"doi": doi, "referrer": request.headers.get("Referer", "")})
    owner = selectors.prefix_owner(doi)
    response = render(
        request, "resolver/unknown.html", {"doi": doi, "form": form, "owner": owner}, status=404
    )
    return _vary(response)


@require_POST
def report(request: HttpRequest) -> HttpResponse:
    form = DoiErrorReportForm(request.POST)
    if not form.is_valid():
        return unknown(request, request.POST.get("doi", "")[:2048], form)
    try:
        doi = doi_normalise(form.cleaned_data["doi"])
    except MalformedDoi as error:
        return render(
            request,
            "resolver/malformed.html",
            {"doi": form.cleaned_data["doi"], "reason": str(error)},
            status=400,
        )
    if selectors.resolution_target(doi) is not None:
        return redirect("resolver:resolve", doi=doi)  # it resolves now
    client = request.META.get("REMOTE_ADDR", "")
    key = f"resolver:reports:{client}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > REPORTS_PER_HOUR:
        return render(request, "resolver/too_many.html", status=429)
    services.doi_error_report_create(
        doi=doi,
        email=form.cleaned_data["email"],
        referrer=form.cleaned_data["referrer"],
        comment=form.cleaned_data["comment"],
    )
    return redirect(f"{reverse('resolver:report_thanks')}?{urlencode({'doi': doi})}")


@require_safe
def report_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "resolver/thanks.html", {"doi": request.GET.get("doi", "")[:2048]})
