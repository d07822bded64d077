"""Reads behind the member, journal and funder directories."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from accounts.models import Organisation
from linking.api.selectors import COVERAGE_METRICS, member_stats
from linking.api.types import type_label
from linking.funders import funder_work_ids
from linking.models import Funder, Title, Work, WorkFunder

# Participation figures shown for a member: (coverage metric of the API's member stats, label).
PARTICIPATION = [
    ("references", "References"),
    ("abstracts", "Abstracts"),
    ("orcids", "ORCID iDs"),
    ("funders", "Funder IDs"),
    ("licenses", "Licences"),
    ("ror-ids", "ROR IDs"),
    ("update-policies", "Crossmark (update policy)"),
    ("similarity-checking", "Similarity Check links"),
    ("affiliations", "Affiliations"),
    ("award-numbers", "Award numbers"),
]
assert all(metric in COVERAGE_METRICS for metric, _ in PARTICIPATION)


def citation_parts(work: Work) -> dict[str, Any]:
    """Authors (up to three, then 'et al.'), year, title, container, volume, issue, pages."""
    data = work.data or {}
    people = [c for c in data.get("contributors") or [] if isinstance(c, dict)]
    authors = [c for c in people if c.get("role", "author") == "author"] or people
    names = []
    for person in authors[:3]:
        if person.get("family"):
            initials = " ".join(f"{part[0]}." for part in (person.get("given") or "").split() if part)
            names.append(f"{person['family']}, {initials}".rstrip(", "))
        elif person.get("name"):
            names.append(person["name"])
    year = work.issued[:4] if work.issued[:4] not in ("", "0000") else ""
    pages = work.first_page or work.article_number
    if work.first_page and data.get("last_page"):
        pages = f"{work.first_page}–{data['last_page']}"
    return {
        "authors": "; ".join(names) + (" et al." if len(authors) > 3 else ""),
        "year": year,
        "title": work.title or "(untitled)",
        "container": work.container_title,
        "volume": work.volume,
        "issue": work.issue,
        "pages": pages,
        "type": type_label(work.type),
    }


def members_listed(text: str = "") -> QuerySet[Organisation]:
    members = Organisation.objects.filter(member_id__isnull=False)
    if text:
        members = members.filter(Q(name__icontains=text) | Q(prefixes__value=text)).distinct()
    return members.order_by("name", "member_id")


def work_counts_by_member(organisations) -> dict[int, int]:
    rows = (
        Work.objects.filter(organisation__in=list(organisations))
        .values("organisation")
        .annotate(n=Count("pk"))
        .values_list("organisation", "n")
    )
    return dict(rows)


def member_profile(organisation: Organisation) -> dict[str, Any]:
    stats = member_stats(organisation.pk)
    by_type = sorted(stats["counts-type"]["all"].items(), key=lambda item: -item[1])
    coverage = stats["coverage-type"]["all"]
    total = stats["counts"]["total-dois"]
    figures = []
    for metric, label in PARTICIPATION:
        having = sum(
            round(c.get(metric, 0) * stats["counts-type"]["all"].get(t, 0)) for t, c in coverage.items()
        )
        figures.append({"label": label, "count": having, "share": having / total if total else 0.0})
    return {
        "organisation": organisation,
        "prefixes": list(organisation.prefixes.order_by("value")),
        "total": total,
        "current": stats["counts"]["current-dois"],
        "backfile": stats["counts"]["backfile-dois"],
        "by_type": [(type_label(t), n) for t, n in by_type],
        "by_year": sorted(stats["breakdowns"]["dois-by-issued-year"], reverse=True),
        "figures": figures,
        "participation_url": f"/members/{organisation.member_id}/participation",
        "journals": Title.objects.filter(organisation=organisation, kind="journal").order_by("title")[:50],
    }


def journals_listed(text: str = "") -> QuerySet[Title]:
    journals = Title.objects.filter(kind="journal")
    if text:
        compact = text.replace("-", "").upper()
        journals = journals.filter(Q(title__icontains=text) | Q(identifiers__value=compact)).distinct()
    return journals.select_related("organisation").prefetch_related("identifiers").order_by("title", "pk")


def journal_profile(title: Title) -> dict[str, Any]:
    issns = [
        {"value": f"{i.value[:4]}-{i.value[4:]}", "type": i.type}
        for i in title.identifiers.filter(scheme="issn").order_by("value")
    ]
    per_year = (
        Work.objects.filter(container=title)
        .exclude(issued="")
        .annotate(year=Substr("issued", 1, 4))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-year")
    )
    return {
        "title": title,
        "issns": issns,
        "publisher": title.publisher or (title.organisation.name if title.organisation else ""),
        "per_year": [(r["year"], r["n"]) for r in per_year if r["year"] != "0000"],
        "total": Work.objects.filter(container=title).count(),
    }


def funders_listed(text: str = "") -> QuerySet[Funder]:
    funders = Funder.objects.all()
    if text:
        funders = funders.filter(
            Q(name__icontains=text) | Q(alt_names__icontains=text) | Q(funder_id=text) | Q(ror__iexact=text)
        )
    return funders.select_related("parent").order_by("name", "funder_id")


def work_counts_by_funder(funders) -> dict[int, int]:
    """Works naming each funder by its DOI or its ROR id (a work naming both counts once)."""
    owner: dict[str, int] = {}
    for funder in funders:
        for stored_id in funder_work_ids(funder):
            owner[stored_id] = funder.pk
    if not owner:
        return {}
    funder_pk = Case(
        *(When(funder_id=k, then=Value(pk)) for k, pk in owner.items()), output_field=IntegerField()
    )
    rows = (
        WorkFunder.objects.filter(funder_id__in=owner)
        .annotate(funder_pk=funder_pk)
        .values("funder_pk")
        .annotate(n=Count("work_id", distinct=True))
        .values_list("funder_pk", "n")
    )
    return dict(rows)


def funder_ancestors(funder: Funder) -> list[Funder]:
    """Parent, grandparent, ... (outermost first), stopping at a loop."""
    chain, seen, current = [], {funder.pk}, funder.parent
    while current is not None and current.pk not in seen and len(chain) < 20:
        chain.append(current)
        seen.add(current.pk)
        current = current.parent
    return list(reversed(chain))
