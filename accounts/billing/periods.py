"""Billing periods: a calendar year (`2026`) or quarter (`2026-Q3`), in the site's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?\Z")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # None: the whole year

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_PATTERN.match(text.strip().upper())
        if not match or not 1900 < int(match["year"]) < 3000:
            raise PeriodError(
                f"'{text}' is not a billing period: write a year (2026) or a quarter (2026-Q3)."
            )
        quarter = match["quarter"]
        return cls(int(match["year"]), int(quarter) if quarter else None)

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        return self.following().start - timedelta(days=1)

    def following(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1)
        return Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes [start, end) covering the period."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.following().start, time.min, tzinfo=zone),
        )

    def __str__(self) -> str:
        return self.label
