"""/search and the member, journal and funder directories (public pages)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Organisation
from linking.api.params import ValidationFailure
from linking.crossmark import updated_by_map
from linking.funders import funder_resolve, funder_work_ids
from linking.models import Funder, Title, TitleIdentifier, Work, WorkFunder
from portal.discovery import directory
from portal.discovery.selectors import (
    FACET_LABELS,
    PAGE_SIZE,
    SORTS,
    SearchRequest,
    names_matching,
    search_facet_counts,
    works_searched,
)
from portal.discovery.urlquery import QueryLinks


def _page(request: HttpRequest, items, size: int = PAGE_SIZE):
    number = request.GET.get("page", "1")
    paginator = Paginator(items, size)
    return paginator.get_page(number if number.isdigit() else 1)


def _hits(works: list[Work]) -> list[dict]:
    """Each work of a page with its citation parts and Crossmark updates (one query)."""
    updates = updated_by_map([w.doi for w in works])
    return [
        {
            "work": w,
            "citation": directory.citation_parts(w),
            "updates": [
                {
                    "type": u["type"],
                    "label": u["label"],
                    "source": u["source"],
                    "notice": u["DOI"],
                    "date": "-".join(str(p) for p in u.get("updated", {}).get("date-parts", [[]])[0]),
                }
                for u in updates.get(w.doi, [])
            ],
        }
        for w in works
    ]


def search(request: HttpRequest) -> HttpResponse:
    asked = SearchRequest.from_query(request.GET)
    links = QueryLinks(request.GET)
    context: dict = {"asked": asked}
    try:
        works = works_searched(asked)
        page = _page(request, works.select_related("organisation"))
        total = page.paginator.count
    except ValidationFailure as failure:
        context["problems"] = [p["message"] for p in failure.problems]
        return render(request, "discovery/search.html", context, status=400)
    facets = search_facet_counts(asked, works, total)
    context.update(
        page=page,
        total=total,
        hits=_hits(list(page.object_list)),
        facets=[
            {
                "name": name,
                "label": FACET_LABELS[name],
                "values": [
                    {
                        "value": v,
                        "chosen": v.value in asked.chosen.get(name, []),
                        "href": links.toggled(name, v.value),
                    }
                    for v in facets.get(name, [])
                ],
            }
            for name in FACET_LABELS
        ],
        chosen=[
            {"label": FACET_LABELS[name], "value": value, "href": links.toggled(name, value)}
            for name, values in asked.chosen.items()
            for value in values
        ],
        names=names_matching(asked.text) if asked.text else None,
        sort_links=[
            {"name": name, "href": links.replaced(sort=name), "current": name == asked.sort}
            for name in SORTS
            if name != "relevance" or asked.text
        ],
        order_href=links.replaced(order="asc" if asked.order == "desc" else "desc"),
        prev_href=links.replaced(page=page.previous_page_number()) if page.has_previous() else "",
        next_href=links.replaced(page=page.next_page_number()) if page.has_next() else "",
    )
    return render(request, "discovery/search.html", context)


def members(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    page = _page(request, directory.members_listed(text), 50)
    counts = directory.work_counts_by_member(page.object_list)
    rows = [(m, counts.get(m.pk, 0)) for m in page.object_list]
    return render(request, "discovery/members.html", {"q": text, "page": page, "rows": rows})


def member(request: HttpRequest, member_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, member_id=member_id)
    return render(request, "discovery/member.html", directory.member_profile(organisation))


def journals(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    found = directory.journals_listed(text)
    return render(request, "discovery/journals.html", {"q": text, "page": _page(request, found, 50)})


def journal(request: HttpRequest, issn: str) -> HttpResponse:
    value = issn.replace("-", "").strip().upper()
    identifier = (
        TitleIdentifier.objects.filter(scheme="issn", value=value)
        .select_related("title__organisation")
        .first()
    )
    if identifier is None:
        raise Http404(f"No journal with ISSN {issn}")
    title: Title = identifier.title
    works = Work.objects.filter(container=title).order_by("-issued", "pk")
    context = directory.journal_profile(title)
    context["page"] = _page(request, works)
    context["hits"] = _hits(list(context["page"].object_list))
    return render(request, "discovery/journal.html", context)


def funders(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    page = _page(request, directory.funders_listed(text), 50)
    counts = directory.work_counts_by_funder(page.object_list)
    rows = [(f, counts.get(f.pk, 0)) for f in page.object_list]
    return render(request, "discovery/funders.html", {"q": text, "page": page, "rows": rows})


def funder(request: HttpRequest, funder_id: str) -> HttpResponse:
    found = funder_resolve(funder_id)
    if found is None:
        raise Http404(f"No funder {funder_id} in the registry")
    if found.funder_id != funder_id:
        return redirect("discovery:funder", funder_id=found.funder_id)
    ids = funder_work_ids(found)
    works = Work.objects.filter(
        pk__in=WorkFunder.objects.filter(funder_id__in=ids).values("work_id")
    ).order_by("-issued", "pk")
    page = _page(request, works)
    children = Funder.objects.filter(parent=found).annotate(n=Count("children")).order_by("name")
    context = {
        "funder": found,
        "ancestors": directory.funder_ancestors(found),
        "children": children,
        "page": page,
        "hits": _hits(list(page.object_list)),
        "work_count": page.paginator.count,
    }
    return render(request, "discovery/funder.html", context)
