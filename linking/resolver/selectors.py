"""Reads of the resolver. `resolution_target` is the hot path: one indexed query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef

from accounts.models import Organisation, Prefix
from linking.models import ResourceUrl, Work
from linking.resolver.cache import TARGETS


@dataclass(frozen=True)
class Target:
    work_id: int
    doi: str
    url: str
    multiple: bool  # secondary URLs exist: show the choice or honour locatt


def _targets(works):
    secondary = ResourceUrl.objects.filter(work=OuterRef("pk")).exclude(kind="primary")
    return works.annotate(multiple=Exists(secondary)).values_list("pk", "doi", "url", "multiple").order_by()


def _target_sql() -> str:
    work, url = Work._meta.db_table, ResourceUrl._meta.db_table
    return (
        f"SELECT w.id, w.url, EXISTS (SELECT 1 FROM {url} r WHERE r.work_id = w.id AND r.kind <> 'primary') "
        f"FROM {work} w WHERE w.doi = %s"
    )


def resolution_target(doi: str) -> Target | None:
    """Where the lower-cased `doi` resolves, or None when it is not registered here.
    Every resolution runs this: from the process's cache when it can (`cache.py`), else
    one statement written out (the same as `resolution_targets` builds) rather than
    compiled by the ORM each time."""
    target = TARGETS.get(doi)
    if target is not None:
        return target
    with connection.cursor() as cursor:
        cursor.execute(_TARGET_SQL, [doi])
        row = cursor.fetchone()
    target = Target(work_id=row[0], doi=doi, url=row[1], multiple=bool(row[2])) if row else None
    TARGETS.put(doi, target)
    return target


_TARGET_SQL = _target_sql()


def resolution_targets(dois: list[str]) -> dict[str, Target]:
    """`resolution_target` for many lower-cased DOIs in one query (link checks, reports)."""
    rows = _targets(Work.objects.filter(doi__in=dois))
    return {doi: Target(work_id=pk, doi=doi, url=url, multiple=multiple) for pk, doi, url, multiple in rows}


@dataclass(frozen=True)
class Location:
    id: int  # position as deposited: the primary URL first
    url: str
    kind: str
    label: str


def locations(work_id: int) -> list[Location]:
    """The URLs of a DOI with multiple resolution, primary first."""
    rows = (
        ResourceUrl.objects.filter(work_id=work_id).order_by("position").values_list("url", "kind", "label")
    )
    ordered = sorted(rows, key=lambda r: r[1] != "primary")
    return [Location(id=i, url=url, kind=kind, label=label) for i, (url, kind, label) in enumerate(ordered)]


def location_chosen(options: list[Location], locatt: str) -> Location | None:
    """The location a `locatt` value picks: `label:<label>`, `country:<code>` (country-based
    collections keep the country as the label), `id:<n>` (the listing's position, primary 0),
    or a bare label."""
    name, _, value = locatt.partition(":")
    if not _:
        name, value = "label", locatt
    name, value = name.strip().lower(), value.strip()
    for option in options:
        if name in ("label", "country") and option.label.lower() == value.lower():
            return option
        if name == "id" and value.isdigit() and option.id == int(value):
            return option
    return None


def prefix_owner(doi: str) -> Organisation | None:
    prefix = Prefix.objects.filter(value=doi.split("/", 1)[0]).select_related("organisation").first()
    return prefix.organisation if prefix else None


def work_for_rendering(work_id: int) -> Work:
    return Work.objects.select_related("organisation", "container", "prefix").get(pk=work_id)
