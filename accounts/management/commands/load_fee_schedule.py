"""Add the default fee schedule rows that are missing (never overwrites staff edits)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.billing.defaults import fee_schedule_load
from accounts.models import AnnualFee, FeeWaiverCountry, RegistrationFee


class Command(BaseCommand):
    help = "Load the default fee schedule (membership tiers, per-DOI fees, affiliate fees, GEM countries)."

    def handle(self, *args, **options):
        added = fee_schedule_load(
            annual_fee=AnnualFee, registration_fee=RegistrationFee, waiver_country=FeeWaiverCountry
        )
        self.stdout.write(self.style.SUCCESS(f"Fee schedule loaded: {added} row(s) added."))
