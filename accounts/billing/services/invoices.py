"""Invoice runs and the invoice life cycle: draft → issued → paid, or void; credit notes.

Runs are idempotent: a run skips every organisation, kind and period that has an invoice
already (a voided one too, so voiding is not undone by the next daily run), and a unique
constraint allows one live invoice per organisation, kind and period, so two runs at once
create nothing twice. `invoice_replace` makes a new draft for a voided invoice."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from accounts.billing.errors import BillingError, BillingErrorCode
from accounts.billing.models import (
    ZERO,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceNumberSequence,
    InvoiceStatus,
    PaymentRecord,
    RegistrationCharge,
)
from accounts.billing.periods import Period, PeriodError
from accounts.billing.pricing import ANNUAL_CATEGORY_BY_KIND, FeeMissing, FeeSchedule, registrations_priced
from accounts.models import Organisation, OrganisationKind, OrganisationStatus, User
from accounts.services.audit import audit_record

PAYMENT_TERMS_DAYS = 45
NUMBER_SERIES = {InvoiceKind.CREDIT_NOTE: "CN"}  # everything else is INV


def _period(period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    try:
        return Period.parse(period)
    except PeriodError as error:
        raise BillingError(BillingErrorCode.INVALID_PERIOD, str(error), field="period") from error


def _member_label(organisation: Organisation) -> str:
    return f"{organisation.name} (member {organisation.member_id})"


def _invoice_save(
    *,
    payer: Organisation,
    kind: str,
    period: Period,
    lines: list[InvoiceLine],
    actor: User | None,
    replacing: bool = False,
) -> Invoice | None:
    """Create one draft with its lines, unless one exists already (then None). When
    `replacing`, only a live invoice counts as existing."""
    lines.sort(
        key=lambda line: (line.registrant_id != payer.pk, line.description, line.registered_from or date.min)
    )
    try:
        with transaction.atomic():
            existing = Invoice.objects.filter(organisation=payer, kind=kind, period=period.label)
            if replacing:
                existing = existing.exclude(status=InvoiceStatus.VOID)
            if existing.exists():
                return None
            invoice = Invoice.objects.create(
                organisation=payer,
                kind=kind,
                period=period.label,
                period_start=period.start,
                period_end=period.end,
                total=sum((line.amount for line in lines), ZERO),
            )
            for position, line in enumerate(lines, start=1):
                line.invoice, line.position = invoice, position
            InvoiceLine.objects.bulk_create(lines)
            audit_record(
                actor=actor,
                action="invoice.create",
                target=invoice,
                organisation=payer,
                after={
                    "kind": kind,
                    "period": period.label,
                    "total": str(invoice.total),
                    "lines": len(lines),
                },
            )
    except IntegrityError:  # another run created it a moment ago
        return None
    return invoice


def _fee_missing(error: FeeMissing) -> BillingError:
    return BillingError(BillingErrorCode.FEE_MISSING, str(error))


def membership_invoices_create(
    *, year: int, actor: User | None = None, payer: Organisation | None = None
) -> list[Invoice]:
    """Annual fee invoices for `year`: every active organisation whose kind pays one, with
    sponsored members' fees on their sponsor's invoice, one line per member."""
    period = Period(year)
    schedule = FeeSchedule()
    billable = (
        Organisation.objects.filter(
            status=OrganisationStatus.ACTIVE,
            kind__in=list(ANNUAL_CATEGORY_BY_KIND),
            created_at__lt=period.bounds()[1],
        )
        .select_related("sponsor")
        .order_by("pk")
    )
    if payer is not None:
        billable = billable.filter(Q(pk=payer.pk, sponsor__isnull=True) | Q(sponsor=payer))
    by_payer: dict[int, list[InvoiceLine]] = defaultdict(list)
    payers: dict[int, Organisation] = {}
    for organisation in billable:
        sponsored = organisation.kind == OrganisationKind.SPONSORED_MEMBER and organisation.sponsor
        paying = organisation.sponsor if sponsored else organisation
        try:
            fee = schedule.annual_fee(organisation, period.start)
        except FeeMissing as error:
            raise _fee_missing(error) from error
        if fee is None:
            continue
        category, amount = fee
        waived_by = schedule.waiver(organisation.country, period.start)
        description = f"{'Affiliate' if category == 'affiliate' else 'Membership'} fee {year}, " + (
            f"revenue tier {organisation.get_revenue_tier_display()}"
        )
        if sponsored:
            description = f"{_member_label(organisation)}: {description}"
        if waived_by:
            description += f" (waived: {waived_by})"
        payers[paying.pk] = paying
        by_payer[paying.pk].append(
            InvoiceLine(
                registrant=organisation,
                description=description[:255],
                quantity=1,
                unit_price=amount,
                amount=ZERO if waived_by else amount,
                waived=bool(waived_by),
            )
        )
    created = []
    for payer_id, lines in by_payer.items():
        if all(line.waived for line in lines):
            continue  # nothing to pay: no invoice
        invoice = _invoice_save(
            payer=payers[payer_id],
            kind=InvoiceKind.MEMBERSHIP,
            period=period,
            lines=lines,
            actor=actor,
            replacing=payer is not None,
        )
        if invoice:
            created.append(invoice)
    return created


def registration_invoices_create(
    *, period: Period | str, actor: User | None = None, payer: Organisation | None = None
) -> list[Invoice]:
    """Quarterly content-registration invoices from the ledger: lines by registrant, content
    type, current/backfile and unit price; DOIs behind a line are in its CSV."""
    period = _period(period)
    if not period.is_quarter:
        raise BillingError(
            BillingErrorCode.INVALID_PERIOD,
            f"Registration invoices are quarterly: {period} is a year.",
            field="period",
        )
    start, end = period.bounds()
    charges = RegistrationCharge.objects.filter(registered_at__gte=start, registered_at__lt=end)
    if payer is not None:
        charges = charges.filter(payer=payer)
    try:
        groups = registrations_priced(charges)
    except FeeMissing as error:
        raise _fee_missing(error) from error
    organisations = Organisation.objects.in_bulk(
        {g.payer_id for g in groups} | {g.registrant_id for g in groups}
    )
    by_payer: dict[int, list[InvoiceLine]] = defaultdict(list)
    for group in groups:
        registrant = organisations[group.registrant_id]
        description = f"{group.content_type} DOIs, {group.recency}"
        if group.registrant_id != group.payer_id:
            description = f"{_member_label(registrant)}: {description}"
        if group.waived_by:
            description += f" (waived: {group.waived_by})"
        by_payer[group.payer_id].append(
            InvoiceLine(
                registrant=registrant,
                description=description[:255],
                content_type=group.content_type,
                recency=group.recency,
                quantity=group.quantity,
                unit_price=group.unit_price,
                amount=group.amount,
                waived=bool(group.waived_by),
                registered_from=group.first_day,
                registered_until=group.last_day,
            )
        )
    created = []
    for payer_id, lines in by_payer.items():
        if all(line.amount == ZERO for line in lines):
            continue
        invoice = _invoice_save(
            payer=organisations[payer_id],
            kind=InvoiceKind.REGISTRATION,
            period=period,
            lines=lines,
            actor=actor,
            replacing=payer is not None,
        )
        if invoice:
            created.append(invoice)
    return created


def invoices_create_for_period(*, period: Period | str, actor: User | None = None) -> list[Invoice]:
    """`2026` makes the year's membership invoices, `2026-Q3` the quarter's registration ones."""
    period = _period(period)
    if period.is_quarter:
        return registration_invoices_create(period=period, actor=actor)
    return membership_invoices_create(year=period.year, actor=actor)


def invoice_replace(*, invoice: Invoice, actor: User | None) -> Invoice | None:
    """A new draft for the organisation, kind and period of a voided invoice, priced from
    the schedule and ledger as they are now. None when there is nothing to invoice."""
    invoice = Invoice.objects.select_related("organisation").get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.VOID or invoice.kind == InvoiceKind.CREDIT_NOTE:
        raise _refuse(invoice, "replaced", "void")
    period = _period(invoice.period)
    if invoice.kind == InvoiceKind.MEMBERSHIP:
        created = membership_invoices_create(year=period.year, actor=actor, payer=invoice.organisation)
    else:
        created = registration_invoices_create(period=period, actor=actor, payer=invoice.organisation)
    return created[0] if created else None


def invoices_create_due(*, today: date | None = None) -> list[Invoice]:
    """What is due on `today` and not made yet: this year's membership invoices (so members
    who join during the year get theirs too) and the last finished quarter's registrations."""
    today = today or timezone.localdate()
    created = membership_invoices_create(year=today.year)
    created += registration_invoices_create(period=Period.quarter_of(today).previous())
    return created


def invoice_number_allocate(*, series: str, year: int) -> str:
    """The next number of a series and year, e.g. INV-2026-000123. Taken under a row lock in
    the caller's transaction; never handed out twice, even if the invoice is later voided."""
    with transaction.atomic():
        sequence, _ = InvoiceNumberSequence.objects.select_for_update().get_or_create(
            series=series, year=year
        )
        InvoiceNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
        sequence.refresh_from_db(fields=["last"])
    return f"{series}-{year}-{sequence.last:06d}"


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("organisation").get(pk=invoice.pk)


def _refuse(invoice: Invoice, action: str, allowed: str) -> BillingError:
    return BillingError(
        BillingErrorCode.INVALID_TRANSITION,
        f"Invoice {invoice.number or invoice.pk} is {invoice.get_status_display().lower()}: only {allowed} "
        f"invoices can be {action}.",
    )


def _transition_audit(
    invoice: Invoice, *, actor: User | None, action: str, before: str, message: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=invoice,
        organisation=invoice.organisation,
        before={"status": before},
        after={"status": invoice.status, "number": invoice.number, "total": str(invoice.total)},
        message=message,
    )


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor: User | None) -> Invoice:
    invoice = _locked(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise _refuse(invoice, "issued", "draft")
    now = timezone.now()
    invoice.number = invoice_number_allocate(
        series=NUMBER_SERIES.get(invoice.kind, "INV"), year=timezone.localdate(now).year
    )
    invoice.status, invoice.issued_at = InvoiceStatus.ISSUED, now
    invoice.due_on = timezone.localdate(now) + timedelta(days=PAYMENT_TERMS_DAYS)
    invoice.save(update_fields=["number", "status", "issued_at", "due_on"])
    _transition_audit(invoice, actor=actor, action="invoice.issue", before=InvoiceStatus.DRAFT)
    return invoice


@transaction.atomic
def invoice_mark_paid(
    *, invoice: Invoice, actor: User | None, received_on: date | None = None, reference: str = ""
) -> Invoice:
    invoice = _locked(invoice)
    if invoice.status != InvoiceStatus.ISSUED or invoice.kind == InvoiceKind.CREDIT_NOTE:
        raise _refuse(invoice, "marked paid", "issued")
    received_on = received_on or timezone.localdate()
    PaymentRecord.objects.create(
        invoice=invoice, amount=invoice.total, received_on=received_on, reference=reference, recorded_by=actor
    )
    invoice.status, invoice.paid_at, invoice.payment_reference = InvoiceStatus.PAID, timezone.now(), reference
    invoice.save(update_fields=["status", "paid_at", "payment_reference"])
    _transition_audit(
        invoice, actor=actor, action="invoice.paid", before=InvoiceStatus.ISSUED, message=reference
    )
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice, actor: User | None, reason: str = "") -> Invoice:
    """Cancel a draft or an unpaid invoice. It keeps its number; a new run may replace it.
    A paid invoice is corrected with a credit note instead."""
    invoice = _locked(invoice)
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED):
        raise _refuse(invoice, "voided (credit a paid one instead)", "draft or issued")
    before = invoice.status
    invoice.status, invoice.voided_at = InvoiceStatus.VOID, timezone.now()
    invoice.save(update_fields=["status", "voided_at"])
    _transition_audit(invoice, actor=actor, action="invoice.void", before=before, message=reason)
    return invoice


def credited_so_far(invoice: Invoice) -> Decimal:
    total = invoice.credit_notes.exclude(status=InvoiceStatus.VOID).aggregate(total=Sum("total"))["total"]
    return -(total or ZERO)


@transaction.atomic
def credit_note_create(
    *, invoice: Invoice, actor: User | None, reason: str, amount: Decimal | None = None
) -> Invoice:
    """An issued credit note against an issued or paid invoice, for `amount` (default: all
    that is not credited yet). Its total is negative."""
    invoice = _locked(invoice)
    if invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.status not in (
        InvoiceStatus.ISSUED,
        InvoiceStatus.PAID,
    ):
        raise _refuse(invoice, "credited", "issued or paid")
    open_amount = invoice.total - credited_so_far(invoice)
    amount = open_amount if amount is None else Decimal(amount).quantize(Decimal("0.01"))
    if amount <= ZERO or amount > open_amount:
        raise BillingError(
            BillingErrorCode.CREDIT_TOO_LARGE,
            f"A credit note for {invoice.number} can be for more than 0 and at most {open_amount} "
            f"{invoice.currency} (the part not credited yet); {amount} was asked.",
            field="amount",
        )
    note = Invoice.objects.create(
        organisation=invoice.organisation,
        kind=InvoiceKind.CREDIT_NOTE,
        period=invoice.period,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        credited_invoice=invoice,
        total=-amount,
        note=reason,
    )
    InvoiceLine.objects.create(
        invoice=note,
        position=1,
        registrant=invoice.organisation,
        description=f"Credit against {invoice.number}: {reason}"[:255],
        unit_price=-amount,
        amount=-amount,
    )
    audit_record(
        actor=actor,
        action="invoice.credit",
        target=invoice,
        organisation=invoice.organisation,
        after={"credit_note_id": note.pk, "amount": str(amount)},
        message=reason,
    )
    return invoice_issue(invoice=note, actor=actor)
