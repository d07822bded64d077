"""Reads for the web form: the organisation's own records (to edit, and to remember the
journal and issue), and searches over our funder registry and the affiliations already
registered (no network: ROR itself is not queried; a pasted ROR id is accepted)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from accounts.models import Organisation
from accounts.selectors import prefixes_depositable_by
from linking.models import Funder, Work
from linking.records import WorkRecord, work_record_from_json

SEARCH_LIMIT = 10
AFFILIATION_SCAN = 300


def depositable_prefixes(organisation: Organisation) -> list[str]:
    return sorted(prefixes_depositable_by(organisation).values_list("value", flat=True))


def work_of_organisation(*, organisation: Organisation, doi: str) -> Work:
    """A registered work whose prefix the organisation may deposit under; 404 otherwise."""
    prefixes = depositable_prefixes(organisation)
    work = Work.objects.filter(doi=doi.strip().lower()).first()
    if work is None or work.doi.split("/", 1)[0] not in prefixes:
        raise Http404("No registered record of this organisation has that DOI.")
    return work


def work_record(work: Work) -> WorkRecord:
    return work_record_from_json(work.data)


def last_journal_article(organisation: Organisation) -> WorkRecord | None:
    """The organisation's newest journal article, whose journal and issue the form offers
    when nothing is remembered in the session yet."""
    work = (
        Work.objects.filter(organisation=organisation, type="journal-article")
        .order_by("-updated_at", "-pk")
        .only("data")
        .first()
    )
    return work_record_from_json(work.data) if work is not None and work.data else None


def funders_matching(text: str, *, limit: int = SEARCH_LIMIT) -> list[Funder]:
    text = text.strip()
    if len(text) < 2:
        return []
    try:
        from linking import funders as funder_search  # the search engineer's helpers, when present
    except ImportError:
        funder_search = None
    if funder_search is not None and hasattr(funder_search, "funders_search"):
        return list(funder_search.funders_search(text)[:limit])
    query = Q(name__icontains=text) | Q(funder_id=text)
    return list(Funder.objects.filter(query).order_by("name")[:limit])


def affiliations_matching(text: str, *, limit: int = SEARCH_LIMIT) -> list[dict[str, str]]:
    """Affiliations with a ROR id found in registered records (newest first), whose name
    contains `text`; plus funders of our registry that carry a ROR id."""
    text = text.strip()
    if len(text) < 2:
        return []
    needle = text.lower()
    found: dict[str, dict[str, str]] = {}
    works = Work.objects.filter(data__icontains=text).order_by("-updated_at").only("data")[:AFFILIATION_SCAN]
    for work in works:
        for person in work.data.get("contributors", []):
            for affiliation in person.get("affiliations", []):
                name = affiliation.get("name", "")
                ror = next(
                    (
                        i.get("id", "")
                        for i in affiliation.get("ids", [])
                        if i.get("id-type", "").upper() == "ROR"
                    ),
                    "",
                )
                if ror and needle in name.lower() and ror not in found:
                    found[ror] = {"name": name, "ror": ror}
        if len(found) >= limit:
            break
    for funder in Funder.objects.filter(name__icontains=text).exclude(ror="")[: limit - len(found)]:
        found.setdefault(funder.ror, {"name": funder.name, "ror": funder.ror})
    return list(found.values())[:limit]


def doi_registered(doi: str) -> bool:
    return Work.objects.filter(doi=doi.strip().lower()).exists()
