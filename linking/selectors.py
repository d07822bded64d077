"""Reads of the registry shared by deposits, views, the API and tasks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from linking.models import TitleIdentifier, Work


@dataclass(frozen=True)
class StoredWork:
    doi: str
    organisation_id: int
    deposit_timestamp: int | None
    last_submission_id: int | None


def works_stored(dois: Iterable[str]) -> dict[str, StoredWork]:
    """What the registry holds for these DOIs (lower-cased keys), for the deposit rules."""
    rows = Work.objects.filter(doi__in={d.lower() for d in dois}).values_list(
        "doi", "organisation_id", "deposit_timestamp", "last_submission_id"
    )
    return {row[0]: StoredWork(*row) for row in rows}


def work_by_doi(doi: str) -> Work | None:
    return Work.objects.filter(doi=doi.strip().lower()).select_related("organisation", "container").first()


def title_owners(identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], TitleIdentifier]:
    """The title record already holding each (scheme, normalised value), with its owner."""
    wanted = list(identifiers)
    found = TitleIdentifier.objects.select_related("title", "title__organisation").filter(
        value__in=[v for _, v in wanted]
    )
    return {(i.scheme, i.value): i for i in found if (i.scheme, i.value) in set(wanted)}
