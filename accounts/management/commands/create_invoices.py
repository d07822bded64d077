"""Create the invoices of one period (drafts; staff issue them in the admin). Safe to run
again: what exists already is not created twice."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.billing import services
from accounts.billing.errors import BillingError


class Command(BaseCommand):
    help = (
        "Create membership invoices for a year (--year 2026) or registration invoices "
        "for a quarter (--period 2026-Q3)."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--period", help="A quarter (2026-Q3: registration invoices) or a year (2026).")
        which.add_argument("--year", type=int, help="Membership invoices for this year.")
        which.add_argument(
            "--due", action="store_true", help="Whatever is due today (what the daily task does)."
        )

    def handle(self, *args, period: str | None, year: int | None, due: bool, **options):
        try:
            if due:
                created = services.invoices_create_due()
            else:
                created = services.invoices_create_for_period(period=period or str(year))
        except BillingError as error:
            raise CommandError(error.message) from error
        for invoice in created:
            self.stdout.write(
                f"  {invoice.organisation} {invoice.get_kind_display()} {invoice.period}: {invoice.total}"
            )
        self.stdout.write(self.style.SUCCESS(f"Created {len(created)} draft invoice(s)."))
