"""Work landing pages `/works/<doi>` and their exports."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from linking import formats
from linking.records import PartialDate, WorkRecord
from linking.resolver.doi import MalformedDoi, doi_normalise
from linking.resolver.views import unknown
from portal.landing.jats import abstract_html
from portal.landing.selectors import landing_page

# ?format= of /works/<doi>/export → (media type, file extension or "" to show inline)
EXPORTS = {
    "bibtex": ("application/x-bibtex", "bib"),
    "ris": ("application/x-research-info-systems", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
    "citation": ("text/x-bibliography", ""),
}
STYLES = [
    ("apa", "APA"),
    ("chicago-author-date", "Chicago (author-date)"),
    ("harvard-cite-them-right", "Harvard"),
    ("ieee", "IEEE"),
    ("modern-language-association", "MLA"),
    ("vancouver", "Vancouver"),
    ("nature", "Nature"),
]
RENDER_ERRORS = (formats.UnsupportedFormat, ValueError, LookupError)


def _date(value: PartialDate | None) -> str:
    if value is None:
        return ""
    return "-".join([f"{value.year:04d}"] + [f"{p:02d}" for p in (value.month, value.day) if p])


def _dates(record: WorkRecord) -> list[tuple[str, str]]:
    names = [
        ("Issued", record.issued),
        ("Published online", record.published_online),
        ("Published in print", record.published_print),
        ("Posted", record.posted),
        ("Accepted", record.accepted),
    ]
    return [(label, _date(value)) for label, value in names if value is not None]


def _pages(record: WorkRecord) -> str:
    if record.first_page and record.last_page:
        return f"{record.first_page}–{record.last_page}"
    return record.first_page or record.article_number


def _citation(work, style: str, locale: str) -> str:
    try:
        rendered = formats.render(work, "text/x-bibliography", style=style, locale=locale)
    except RENDER_ERRORS:
        return ""
    body = rendered.body.decode() if isinstance(rendered.body, bytes) else rendered.body
    return body.strip()


def _references(page) -> list[dict]:
    shown = []
    for reference in page.references:
        data = reference.data or {}
        parts = [
            data.get("author", ""),
            f"({data['year']})" if data.get("year") else "",
            data.get("article_title", "") or data.get("volume_title", ""),
            data.get("journal_title", "") or data.get("series_title", ""),
            data.get("volume", ""),
            data.get("first_page", ""),
        ]
        text = reference.unstructured or ", ".join(p for p in parts if p)
        linked = reference.matched_doi or (reference.doi if reference.doi in page.registered else "")
        shown.append({"key": reference.key, "text": text, "doi": reference.doi, "linked": linked})
    return shown


def _doi_or_404(doi: str) -> str:
    try:
        return doi_normalise(doi)
    except MalformedDoi as error:
        raise Http404(str(error)) from error


@require_safe
def work(request: HttpRequest, doi: str) -> HttpResponse:
    doi = _doi_or_404(doi)
    if "format" in request.GET:
        return export(request, doi)
    page = landing_page(doi)
    if page is None:
        return unknown(request, doi)
    record = page.record
    style = request.GET.get("style", "apa")
    if style not in dict(STYLES):
        style = "apa"
    context = {
        "page": page,
        "work": page.work,
        "record": record,
        "doi_url": f"{settings.SITE_URL.rstrip('/')}/{page.work.doi}",
        "authors": [c for c in record.contributors if c.role == "author"],
        "others": [c for c in record.contributors if c.role != "author"],
        "dates": _dates(record),
        "pages": _pages(record),
        "references": _references(page),
        "abstract": abstract_html(record.abstract),
        "citation": _citation(page.work, style, request.GET.get("locale", "en-US")),
        "style": style,
        "styles": STYLES,
        "exports": [("bibtex", "BibTeX"), ("ris", "RIS"), ("csl-json", "CSL-JSON")],
        "container_kind": record.container.kind if record.container else "",
    }
    return render(request, "landing/work.html", context)


def export(request: HttpRequest, doi: str) -> HttpResponse:
    """`/works/<doi>?format=` (bibtex, ris, csl-json, or citation with ?style=): the work in
    that format, as a download except the citation."""
    name = request.GET.get("format", "")
    if name not in EXPORTS:
        choices = ", ".join(EXPORTS)
        return HttpResponse(
            f"Unknown format '{name}'. Choose one of: {choices}.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    page = landing_page(doi)
    if page is None:
        return unknown(request, doi)
    media_type, extension = EXPORTS[name]
    style = request.GET.get("style", "apa")
    try:
        rendered = formats.render(
            page.work, media_type, style=style, locale=request.GET.get("locale", "en-US")
        )
    except RENDER_ERRORS as error:
        return HttpResponse(
            f"This work cannot be exported as {name}: {error}\n",
            status=406,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(rendered.body, content_type=rendered.content_type)
    if extension:
        filename = page.work.doi.replace("/", "_").replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response
