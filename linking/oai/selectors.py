"""Reads for OAI-PMH: works in harvest order, keyset-paged on (indexed_at, id), and the
sets (one per member, one per DOI prefix)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, Q, QuerySet

from accounts.models import Organisation, Prefix
from linking.models import Work

SET_SPEC = re.compile(r"^(member)(?::(\d{1,10}))?$|^(prefix)(?::(10\.\d{4,9}))?$")


@dataclass(frozen=True)
class Harvest:
    """What a list request selects: a date window (from inclusive, until exclusive) and a set."""

    start: datetime | None = None
    end: datetime | None = None
    set_spec: str = ""


def set_spec_valid(spec: str) -> bool:
    return bool(SET_SPEC.match(spec))


def harvest_works(harvest: Harvest) -> QuerySet[Work]:
    works = Work.objects.all()
    if harvest.start is not None:
        works = works.filter(indexed_at__gte=harvest.start)
    if harvest.end is not None:
        works = works.filter(indexed_at__lt=harvest.end)
    match = SET_SPEC.match(harvest.set_spec) if harvest.set_spec else None
    if match:
        if match.group(2):
            works = works.filter(organisation__member_id=int(match.group(2)))
        elif match.group(4):
            works = works.filter(prefix__value=match.group(4))
        elif match.group(3):
            works = works.filter(prefix__isnull=False)
    return works


def harvest_page(harvest: Harvest, *, after: tuple[datetime, int] | None, size: int) -> list[Work]:
    """The next `size` works after the keyset position `after`, oldest index time first,
    with what rendering needs joined in."""
    works = harvest_works(harvest)
    if after is not None:
        moment, work_id = after
        # the range condition alone lets the database walk the indexed_at index
        works = works.filter(indexed_at__gte=moment).filter(Q(indexed_at__gt=moment) | Q(id__gt=work_id))
    return list(works.select_related("organisation", "prefix").order_by("indexed_at", "id")[:size])


def harvest_count(harvest: Harvest) -> int:
    return harvest_works(harvest).count()


def earliest_datestamp() -> datetime | None:
    return Work.objects.aggregate(first=Min("indexed_at"))["first"]


def work_by_doi(doi: str) -> Work | None:
    return Work.objects.select_related("organisation", "prefix").filter(doi=doi.strip().lower()).first()


def set_specs_of(work: Work) -> list[str]:
    specs = [f"member:{work.organisation.member_id}"]
    if work.prefix_id:
        specs.append(f"prefix:{work.prefix.value}")
    return specs


def sets():
    """(setSpec, setName) of every member and prefix that has works, members first."""
    yield "member", "Works by member"
    members = Organisation.objects.filter(works__isnull=False).distinct().order_by("member_id")
    for member_id, name in members.values_list("member_id", "name").iterator():
        yield f"member:{member_id}", name
    yield "prefix", "Works by DOI prefix"
    prefixes = Prefix.objects.filter(works__isnull=False).distinct().order_by("value")
    for value, name in prefixes.values_list("value", "organisation__name").iterator():
        yield f"prefix:{value}", f"{value} ({name})"
