"""Billing reads for member pages, the admin, CSV downloads and invoice documents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.billing.models import ZERO, Invoice, InvoiceLine, InvoiceStatus, RegistrationCharge
from accounts.billing.periods import Period
from accounts.billing.pricing import FeeMissing, PricedGroup, registrations_priced
from accounts.models import Contact, ContactRole, Organisation


@dataclass(frozen=True)
class QuarterSoFar:
    period: Period
    rows: list[tuple[Organisation, PricedGroup]]  # (registrant, priced group)
    total: Decimal
    quantity: int
    problem: str  # why no estimate could be made (a fee missing from the schedule), or ""


def quarter_so_far(organisation: Organisation, *, today: date | None = None) -> QuarterSoFar:
    """This quarter's registrations the organisation made or pays for, priced as an
    invoice run would price them today."""
    period = Period.quarter_of(today or timezone.localdate())
    start, end = period.bounds()
    charges = RegistrationCharge.objects.filter(
        Q(payer=organisation) | Q(registrant=organisation), registered_at__gte=start, registered_at__lt=end
    )
    try:
        groups, problem = registrations_priced(charges), ""
    except FeeMissing as error:
        groups, problem = [], str(error)
    groups.sort(
        key=lambda g: (g.registrant_id != organisation.pk, g.registrant_id, g.content_type, g.recency)
    )
    registrants = Organisation.objects.in_bulk({g.registrant_id for g in groups})
    return QuarterSoFar(
        period=period,
        rows=[(registrants[g.registrant_id], g) for g in groups],
        total=sum((g.amount for g in groups), ZERO),
        quantity=sum(g.quantity for g in groups),
        problem=problem,
    )


def organisation_invoices(organisation: Organisation) -> QuerySet[Invoice]:
    """What a member sees: everything but drafts, newest first."""
    return (
        organisation.invoices.exclude(status=InvoiceStatus.DRAFT)
        .select_related("credited_invoice")
        .order_by("-issued_at", "-pk")
    )


def organisation_invoice(organisation: Organisation, invoice_id: int) -> Invoice:
    invoice = organisation_invoices(organisation).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("No invoice of this organisation has that id.")
    return invoice


def billing_contacts(organisation: Organisation) -> QuerySet[Contact]:
    return organisation.contacts.filter(role=ContactRole.BILLING)


def line_charges(line: InvoiceLine) -> QuerySet[RegistrationCharge]:
    """The DOIs behind a registration line: its keys, within the days the line covers."""
    if not line.content_type:
        return RegistrationCharge.objects.none()
    zone = timezone.get_current_timezone()
    return RegistrationCharge.objects.filter(
        payer_id=line.invoice.organisation_id,
        registrant_id=line.registrant_id,
        content_type=line.content_type,
        recency=line.recency,
        registered_at__gte=datetime.combine(line.registered_from, time.min, tzinfo=zone),
        registered_at__lt=datetime.combine(line.registered_until + timedelta(days=1), time.min, tzinfo=zone),
    ).order_by("registered_at", "doi")


CSV_HEADER = [
    "line",
    "doi",
    "member_id",
    "content_type",
    "publication_year",
    "recency",
    "registered_at",
    "unit_price",
]


def invoice_csv_rows(invoice: Invoice, lines: list[InvoiceLine]) -> Iterator[list[str]]:
    """Header and one row per DOI behind the given lines of the invoice."""
    yield CSV_HEADER
    for line in lines:
        member_id = str(line.registrant.member_id)
        for charge in line_charges(line).iterator(chunk_size=2000):
            yield [
                str(line.position),
                charge.doi,
                member_id,
                charge.content_type,
                str(charge.publication_year or ""),
                charge.recency,
                charge.registered_at.isoformat(),
                str(line.unit_price),
            ]
