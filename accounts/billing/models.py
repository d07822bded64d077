"""Fees, the registration ledger and invoices. Money is Decimal everywhere.

The fee schedule is effective-dated: a row applies from `effective_from` until a later row
for the same key takes over, so changing next year's price never alters what an earlier
date costs. Invoice lines copy the unit price when they are made, so an issued invoice
never moves either way. Imported here from accounts.models, so the app label is accounts.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.models import RevenueTier

__all__ = [
    "AnnualFee",
    "AnnualFeeCategory",
    "FeeWaiverCountry",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceNumberSequence",
    "InvoiceStatus",
    "PaymentRecord",
    "Recency",
    "RegistrationCharge",
    "RegistrationFee",
]

ZERO = Decimal("0.00")
money_validators = [MinValueValidator(ZERO)]


def money_field(**options) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **options)


class AnnualFeeCategory(models.TextChoices):
    MEMBERSHIP = "membership", "Membership fee"
    AFFILIATE = "affiliate", "Affiliate fee"


class AnnualFee(models.Model):
    """What one organisation pays per year, by category and publishing-revenue tier."""

    category = models.CharField(
        max_length=16, choices=AnnualFeeCategory.choices, default=AnnualFeeCategory.MEMBERSHIP
    )
    revenue_tier = models.CharField(max_length=16, choices=RevenueTier.choices)
    effective_from = models.DateField(help_text="Invoices for years starting on or after this date use it.")
    amount = money_field(validators=money_validators, help_text="USD per year.")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["category", "revenue_tier", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "revenue_tier", "effective_from"], name="unique_annual_fee_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.get_revenue_tier_display()} from {self.effective_from}"


OTHER_CONTENT_TYPE = "other"
content_type_validator = RegexValidator(
    r"^[a-z][a-z-]{1,63}\Z", "Use a REST API type id in lower case, e.g. journal-article."
)


class RegistrationFee(models.Model):
    """Per-DOI fee for one content type (REST API type id). Types without a row of their
    own are charged at the `other` row."""

    content_type = models.CharField(max_length=64, validators=[content_type_validator])
    effective_from = models.DateField(help_text="DOIs registered on or after this date use it.")
    current_amount = money_field(
        validators=money_validators, help_text="Published this calendar year or the two before."
    )
    backfile_amount = money_field(validators=money_validators, help_text="Published earlier.")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["content_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "effective_from"], name="unique_registration_fee_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type} from {self.effective_from}"


class FeeWaiverCountry(models.Model):
    """Equitable-membership (GEM) countries: members there pay neither membership nor
    registration fees while the waiver is in force."""

    country = CountryField()
    effective_from = models.DateField()
    effective_until = models.DateField(
        null=True, blank=True, help_text="Last day of the waiver; empty: open."
    )
    programme = models.CharField(max_length=64, default="GEM")

    class Meta:
        ordering = ["country", "-effective_from"]
        verbose_name_plural = "fee waiver countries"
        constraints = [
            models.UniqueConstraint(fields=["country", "effective_from"], name="unique_waiver_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.country.name} ({self.programme}) from {self.effective_from}"


class Recency(models.TextChoices):
    CURRENT = "current", "Current"
    BACKFILE = "backfile", "Backfile"


class RegistrationCharge(models.Model):
    """The ledger: one row per DOI, written when the DOI is first registered. Priced when
    invoiced, with the schedule in force on `registered_at`."""

    doi = models.CharField(max_length=255, unique=True)
    registrant = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="registration_charges"
    )
    payer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="registration_charges_payable",
        db_index=False,  # (payer, registered_at) below serves every lookup by payer
        help_text="Who is invoiced: the registrant, or its sponsor.",
    )
    content_type = models.CharField(max_length=64)
    publication_year = models.PositiveSmallIntegerField(null=True, blank=True)
    recency = models.CharField(max_length=8, choices=Recency.choices)
    prefix = models.CharField(max_length=16)
    source = models.CharField(max_length=16)
    registered_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["registered_at", "doi"]
        indexes = [models.Index(fields=["payer", "registered_at"])]

    def __str__(self) -> str:
        return self.doi


class InvoiceKind(models.TextChoices):
    MEMBERSHIP = "membership", "Annual membership"
    REGISTRATION = "registration", "Content registration"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class Invoice(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(max_length=16, choices=InvoiceKind.choices)
    period = models.CharField(max_length=7, help_text="2026 for a year, 2026-Q3 for a quarter.")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period.")
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    total = money_field(default=ZERO)
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "organisation", "kind"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            # One live invoice per organisation, kind and period: the run can repeat safely;
            # a voided invoice frees the slot for its replacement.
            models.UniqueConstraint(
                fields=["organisation", "kind", "period"],
                condition=Q(kind__in=["membership", "registration"]) & ~Q(status="void"),
                name="one_live_invoice_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "void"]) | Q(number__isnull=False),
                name="issued_invoice_has_number",
            ),
            models.CheckConstraint(
                condition=Q(kind="credit_note", credited_invoice__isnull=False)
                | (~Q(kind="credit_note") & Q(credited_invoice__isnull=True)),
                name="credit_note_references_invoice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or 'draft'} {self.get_kind_display()} {self.period} {self.organisation.name}"

    @property
    def is_visible_to_member(self) -> bool:
        return self.status != InvoiceStatus.DRAFT


class InvoiceLine(models.Model):
    """One line; registration lines keep the keys that select their DOIs from the ledger."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    registrant = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", help_text="Whose line it is."
    )
    description = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64, blank=True)
    recency = models.CharField(max_length=8, choices=Recency.choices, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    amount = money_field()
    waived = models.BooleanField(default=False)
    registered_from = models.DateField(null=True, blank=True)
    registered_until = models.DateField(null=True, blank=True, help_text="Last registration day in the line.")

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="unique_line_position")]

    def __str__(self) -> str:
        return self.description


class InvoiceNumberSequence(models.Model):
    """The last number handed out per series and year. Numbers are taken on issue, in the
    issuing transaction, and never given back (a voided invoice keeps its number)."""

    series = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="unique_number_series_year")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last}"


class PaymentRecord(models.Model):
    """A payment staff recorded against an invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"{self.amount} on {self.received_on} for {self.invoice}"
