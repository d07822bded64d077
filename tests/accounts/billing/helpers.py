"""Small builders for billing tests: organisations with prefixes, and ledger rows written
through the real `registrations_record`."""

from __future__ import annotations

from datetime import datetime
from itertools import count

from django.utils import timezone

from accounts.billing.services import NewRegistration, registrations_record
from accounts.models import Organisation, OrganisationKind
from tests.factories import OrganisationFactory, PrefixFactory

_serial = count(1)


def at(text: str) -> datetime:
    """An aware datetime in the site's time zone from 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'."""
    value = datetime.fromisoformat(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def publisher(**fields) -> Organisation:
    organisation = OrganisationFactory(**fields)
    PrefixFactory(organisation=organisation)
    return organisation


def sponsored(sponsor: Organisation, **fields) -> Organisation:
    return publisher(kind=OrganisationKind.SPONSORED_MEMBER, sponsor=sponsor, **fields)


def register(
    organisation: Organisation,
    when: str,
    *,
    n: int = 1,
    type: str = "journal-article",
    year: int | None = 2026,
    source: str = "deposit",
    depositor: Organisation | None = None,
) -> list[str]:
    """Record `n` new DOIs under the organisation's prefix, as registration does."""
    prefix = organisation.prefixes.first().value
    dois = [f"{prefix}/test.{next(_serial)}" for _ in range(n)]
    registrations_record(
        organisation=depositor or organisation,
        registrations=[NewRegistration(doi=d, type=type, publication_year=year, prefix=prefix) for d in dois],
        registered_at=at(when),
        source=source,
    )
    return dois
