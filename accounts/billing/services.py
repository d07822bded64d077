"""Billing writes. Registration calls `registrations_record` for every DOI it creates
(linking imports accounts, never the reverse), so billing owns its ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from accounts.models import Organisation


@dataclass(frozen=True)
class NewRegistration:
    doi: str
    type: str  # REST API type id (journal-article, book-chapter, ...)
    publication_year: int | None  # decides current versus backfile
    prefix: str


def registrations_record(
    *,
    organisation: Organisation,
    registrations: Sequence[NewRegistration],
    registered_at: datetime,
    source: str,
) -> None:
    """Note DOIs registered for the first time (source: deposit, form or import).
    Placeholder until the fee ledger lands."""
