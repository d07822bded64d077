"""Cited-by for members: `/servlet/getForwardLinks` (credentials as for /servlet/deposit;
`doi` or `prefix`, optional `startDate`/`endDate`), limited to the member's own DOIs
(its prefixes and those of the members it sponsors)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from accounts.selectors import prefixes_depositable_by
from accounts.services import credential_authenticate
from linking.matching.normalise import doi_normalise
from linking.matching.selectors import ForwardLink, forward_links
from linking.matching.xmlquery import DOI_TYPES, QR

CITE_ELEMENTS = {
    "journal-article": "journal_cite",
    "proceedings-article": "conf_cite",
    "book-chapter": "book_cite",
    "book": "book_cite",
    "monograph": "book_cite",
    "edited-book": "book_cite",
    "dissertation": "dissertation_cite",
    "report": "report_cite",
    "standard": "standard_cite",
    "dataset": "database_cite",
    "posted-content": "postedcontent_cite",
}


def _param(request: HttpRequest, *names: str) -> str:
    for name in names:
        value = request.POST.get(name) or request.GET.get(name)
        if value:
            return value.strip()
    return ""


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {value!r}.") from None


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{QR}}}{name}", **attrs)
    if text:
        element.text = text
    return element


def _cite(parent: etree._Element, link: ForwardLink) -> None:
    work = link.citing
    data = work.data or {}
    cite = _sub(parent, CITE_ELEMENTS.get(work.type, "journal_cite"), fl_count=str(work.cited_by_count or 0))
    container = data.get("container") or {}
    for issn in (container.get("issns") or [])[:2]:
        _sub(cite, "issn", str(issn.get("value", "")).replace("-", ""), type=issn.get("type") or "print")
    if cite.tag.endswith("journal_cite"):
        if work.container_title:
            _sub(cite, "journal_title", work.container_title)
        if work.title:
            _sub(cite, "article_title", work.title)
    elif work.container_title:
        _sub(cite, "volume_title", work.container_title)
    people = [
        p for p in data.get("contributors", []) if isinstance(p, dict) and p.get("role", "author") == "author"
    ]
    if people:
        contributors = _sub(cite, "contributors")
        for person in people[:10]:
            contributor = _sub(
                contributors,
                "contributor",
                contributor_role="author",
                sequence=person.get("sequence") or "additional",
            )
            if person.get("given"):
                _sub(contributor, "given_name", person["given"])
            _sub(contributor, "surname", person.get("family") or person.get("name") or "")
    for name, value in (("volume", work.volume), ("issue", work.issue), ("first_page", work.first_page)):
        if value:
            _sub(cite, name, value)
    if work.issued[:4].isdigit() and work.issued[:4] != "0000":
        _sub(cite, "year", work.issued[:4])
    _sub(cite, "publication_type", "full_text")
    _sub(cite, "doi", work.doi, type=DOI_TYPES.get(work.type, "journal_article"))


def forward_links_xml(links: list[ForwardLink]) -> bytes:
    root = etree.Element(f"{{{QR}}}crossref_result", nsmap={None: QR}, version="3.0")
    result = _sub(root, "query_result")
    _sub(_sub(result, "head"), "doi_batch_id", "none")
    body = _sub(result, "body")
    current = None
    for link in links:
        if current is None or current.get("doi") != link.cited_doi:
            current = _sub(body, "forward_link", doi=link.cited_doi)
        _cite(current, link)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@csrf_exempt  # machine endpoint: the credentials are in the request
@require_http_methods(["GET", "POST"])
def get_forward_links(request: HttpRequest) -> HttpResponse:
    identity = credential_authenticate(
        login_id=_param(request, "usr", "login_id"), password=_param(request, "pwd", "login_passwd")
    )
    if identity is None:
        return _plain("Authentication failed: give the member's usr and pwd (or an API token).", 401)
    doi, prefix = doi_normalise(_param(request, "doi")), _param(request, "prefix").lower()
    if not doi and not prefix:
        return _plain("Give the cited DOI in doi, or one of your prefixes in prefix.", 400)
    try:
        start = _date(_param(request, "startDate", "start_date"), "startDate")
        end = _date(_param(request, "endDate", "end_date"), "endDate")
    except ValueError as exc:
        return _plain(str(exc), 400)
    own = set(prefixes_depositable_by(identity.organisation).values_list("value", flat=True))
    asked = doi.split("/", 1)[0] if doi else prefix
    if asked not in {p.lower() for p in own}:
        what = f"DOI {doi}" if doi else f"prefix {prefix}"
        return _plain(
            f"The {what} does not belong to {identity.organisation.name}; cited-by is for your own DOIs.", 403
        )
    links = forward_links(prefixes=own, doi=doi, prefix="" if doi else prefix, start=start, end=end)
    return HttpResponse(forward_links_xml(links), content_type="application/xml; charset=utf-8")
