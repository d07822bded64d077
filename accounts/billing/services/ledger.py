"""The registration ledger: one chargeable row per DOI, written when registration creates it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from accounts.billing.models import RegistrationCharge
from accounts.billing.pricing import recency_of
from accounts.models import Organisation, OrganisationKind, Prefix

# Imports bring in records that were registered (and paid for) elsewhere first.
UNCHARGED_SOURCES = frozenset({"import"})


@dataclass(frozen=True)
class NewRegistration:
    doi: str
    type: str  # REST API type id (journal-article, book-chapter, ...)
    publication_year: int | None  # decides current versus backfile
    prefix: str


def _payer_id(kind: str, organisation_id: int, sponsor_id: int | None) -> int:
    if kind == OrganisationKind.SPONSORED_MEMBER and sponsor_id:
        return sponsor_id
    return organisation_id


def registrations_record(
    *,
    organisation: Organisation,
    registrations: Sequence[NewRegistration],
    registered_at: datetime,
    source: str,
) -> None:
    """Note DOIs registered for the first time. Called
    inside the registration transaction. A DOI already in the ledger stays as it is (it is
    charged once), and imports are not charged. The registrant is the owner of the DOI's
    prefix (the depositor when the prefix is unknown); a sponsored member's sponsor pays."""
    if source in UNCHARGED_SOURCES or not registrations:
        return
    owners = {
        value: (org_id, kind, sponsor_id)
        for value, org_id, kind, sponsor_id in Prefix.objects.filter(
            value__in={r.prefix for r in registrations}, organisation__isnull=False
        ).values_list("value", "organisation_id", "organisation__kind", "organisation__sponsor_id")
    }
    default = (organisation.pk, organisation.kind, organisation.sponsor_id)
    registered_on = timezone.localdate(registered_at)
    stored_at = connection.ops.adapt_datetimefield_value(registered_at)
    rows = []
    for registration in registrations:
        org_id, kind, sponsor_id = owners.get(registration.prefix, default)
        rows.append(
            (
                registration.doi.lower(),
                org_id,
                _payer_id(kind, org_id, sponsor_id),
                registration.type or "other",
                registration.publication_year,
                recency_of(registration.publication_year, registered_on),
                registration.prefix,
                source[:16],
                stored_at,
            )
        )
    for start in range(0, len(rows), BATCH):
        _insert_new(rows[start : start + BATCH])


BATCH = 500
_COLUMNS = (
    "doi",
    "registrant",
    "payer",
    "content_type",
    "publication_year",
    "recency",
    "prefix",
    "source",
    "registered_at",
)


def _insert_new(rows: list[tuple]) -> None:
    """Insert rows, skipping DOIs already in the ledger. Plain SQL because this runs inside
    every registration batch: bulk_create spends more time building model instances and
    compiling than the database spends inserting; executemany pipelines on psycopg 3."""
    meta = RegistrationCharge._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _COLUMNS)
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({quote(meta.get_field('doi').column)}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
