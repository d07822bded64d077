"""What things cost: the effective-dated schedule looked up for a day, and registrations
priced into groups. Shared by invoice runs and the member's "so far this quarter" page."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from accounts.billing.models import (
    ZERO,
    AnnualFee,
    AnnualFeeCategory,
    FeeWaiverCountry,
    Recency,
    RegistrationCharge,
    RegistrationFee,
)
from accounts.models import Organisation, OrganisationKind

BACKFILE_AFTER_YEARS = 2  # current = this calendar year and the two before it

ANNUAL_CATEGORY_BY_KIND = {
    OrganisationKind.MEMBER: AnnualFeeCategory.MEMBERSHIP,
    OrganisationKind.SPONSORED_MEMBER: AnnualFeeCategory.MEMBERSHIP,
    OrganisationKind.SPONSOR: AnnualFeeCategory.MEMBERSHIP,
    OrganisationKind.CONSORTIUM: AnnualFeeCategory.MEMBERSHIP,
    OrganisationKind.AFFILIATE: AnnualFeeCategory.AFFILIATE,
    # Libraries pay no annual fee.
}


class FeeMissing(LookupError):
    pass


def recency_of(publication_year: int | None, registered_on: date) -> str:
    """Current when published this calendar year or the two before (counted from the day
    of registration); backfile when older. No known year counts as current."""
    if publication_year is None or publication_year >= registered_on.year - BACKFILE_AFTER_YEARS:
        return Recency.CURRENT
    return Recency.BACKFILE


class _Dated:
    """Rows per key, each applying from its date until the next one."""

    def __init__(self) -> None:
        self._rows: dict[object, list[tuple[date, object]]] = defaultdict(list)

    def add(self, key: object, effective_from: date, value: object) -> None:
        self._rows[key].append((effective_from, value))

    def finish(self) -> _Dated:
        for rows in self._rows.values():
            rows.sort(key=lambda row: row[0])
        return self

    def on(self, key: object, day: date) -> object | None:
        rows = self._rows.get(key)
        if not rows:
            return None
        index = bisect.bisect_right([row[0] for row in rows], day) - 1
        return rows[index][1] if index >= 0 else None


class FeeSchedule:
    """The whole schedule read once (it is small) and looked up by day."""

    def __init__(self) -> None:
        self._annual = _Dated()
        for fee in AnnualFee.objects.all():
            self._annual.add((fee.category, fee.revenue_tier), fee.effective_from, fee.amount)
        self._annual.finish()
        self._registration = _Dated()
        for fee in RegistrationFee.objects.all():
            self._registration.add(
                fee.content_type,
                fee.effective_from,
                {Recency.CURRENT: fee.current_amount, Recency.BACKFILE: fee.backfile_amount},
            )
        self._registration.finish()
        self._waivers: dict[str, list[FeeWaiverCountry]] = defaultdict(list)
        for waiver in FeeWaiverCountry.objects.all():
            self._waivers[waiver.country.code].append(waiver)

    def registration_fee(self, content_type: str, recency: str, day: date) -> Decimal:
        prices = self._registration.on(content_type, day) or self._registration.on("other", day)
        if prices is None:
            raise FeeMissing(
                f"No registration fee for '{content_type}' (nor for 'other') on {day}: "
                "add one to the fee schedule."
            )
        return prices[recency]

    def annual_fee(self, organisation: Organisation, day: date) -> tuple[str, Decimal] | None:
        """(category, amount) for the organisation's kind and tier; None if its kind pays none."""
        category = ANNUAL_CATEGORY_BY_KIND.get(organisation.kind)
        if category is None:
            return None
        amount = self._annual.on((category, organisation.revenue_tier), day)
        if amount is None:
            raise FeeMissing(
                f"No {category} fee for revenue tier '{organisation.revenue_tier}' on {day}: "
                "add one to the fee schedule."
            )
        return category, amount

    def waiver(self, country: str, day: date) -> str | None:
        """The programme waiving fees for an organisation in `country` on `day`, if any."""
        for row in self._waivers.get(str(country or ""), []):
            if row.effective_from <= day and (row.effective_until is None or day <= row.effective_until):
                return row.programme
        return None


@dataclass(frozen=True)
class PricedGroup:
    payer_id: int
    registrant_id: int
    content_type: str
    recency: str
    unit_price: Decimal
    waived_by: str | None
    quantity: int
    first_day: date
    last_day: date

    @property
    def amount(self) -> Decimal:
        return ZERO if self.waived_by else (self.unit_price * self.quantity).quantize(Decimal("0.01"))


def registrations_priced(
    charges: QuerySet[RegistrationCharge], schedule: FeeSchedule | None = None
) -> list[PricedGroup]:
    """Group ledger rows by payer, registrant, type, recency and price. Counted per day in
    the database, so a schedule change in the middle of a quarter prices each side right."""
    schedule = schedule or FeeSchedule()
    per_day = (
        charges.annotate(day=TruncDate("registered_at"))
        .values("payer_id", "registrant_id", "registrant__country", "content_type", "recency", "day")
        .annotate(quantity=Count("id"))
        .order_by()
    )
    totals: dict[tuple, int] = defaultdict(int)
    days: dict[tuple, list[date]] = defaultdict(list)
    for row in per_day:
        day = row["day"]
        waived_by = schedule.waiver(row["registrant__country"], day)
        unit_price = schedule.registration_fee(row["content_type"], row["recency"], day)
        key = (
            row["payer_id"],
            row["registrant_id"],
            row["content_type"],
            row["recency"],
            unit_price,
            waived_by,
        )
        totals[key] += row["quantity"]
        days[key].append(day)
    return [
        PricedGroup(*key, quantity=quantity, first_day=min(days[key]), last_day=max(days[key]))
        for key, quantity in totals.items()
    ]
