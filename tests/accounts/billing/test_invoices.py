"""Fee tiers, waivers, sponsors, effective dates, idempotent runs and the invoice life cycle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.billing import services
from accounts.billing.errors import BillingError
from accounts.billing.models import (
    AnnualFee,
    FeeWaiverCountry,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    RegistrationFee,
)
from accounts.billing.periods import Period
from accounts.billing.selectors import invoice_csv_rows
from accounts.billing.tasks import create_due_invoices
from accounts.models import AuditEvent, OrganisationKind, RevenueTier
from tests.accounts.billing.helpers import at, publisher, register, sponsored
from tests.factories import OrganisationFactory, staff

pytestmark = pytest.mark.django_db

LONG_AGO = at("2020-01-01")


def membership(year: int, organisation) -> Invoice:
    return Invoice.objects.get(organisation=organisation, kind=InvoiceKind.MEMBERSHIP, period=str(year))


def registration(period: str, organisation) -> Invoice:
    return Invoice.objects.get(organisation=organisation, kind=InvoiceKind.REGISTRATION, period=period)


@pytest.mark.parametrize(
    ("tier", "year", "fee"),
    [
        (RevenueTier.UP_TO_1K, 2025, "275.00"),
        (RevenueTier.UP_TO_1K, 2026, "200.00"),  # the new tier from 2026
        (RevenueTier.UNDER_1M, 2026, "275.00"),
        (RevenueTier.FROM_1M, 2026, "550.00"),
        (RevenueTier.FROM_10M, 2026, "3900.00"),
        (RevenueTier.OVER_500M, 2026, "50000.00"),
    ],
)
def test_membership_fee_follows_the_revenue_tier_in_force_on_the_first_of_january(tier, year, fee):
    organisation = OrganisationFactory(revenue_tier=tier, created_at=LONG_AGO)
    services.membership_invoices_create(year=year)
    invoice = membership(year, organisation)
    assert invoice.total == Decimal(fee)
    assert [line.amount for line in invoice.lines.all()] == [Decimal(fee)]


def test_affiliates_pay_the_affiliate_fee_and_libraries_pay_nothing():
    affiliate = OrganisationFactory(kind=OrganisationKind.AFFILIATE, revenue_tier=RevenueTier.FROM_10M)
    library = OrganisationFactory(kind=OrganisationKind.LIBRARY)
    services.membership_invoices_create(year=2026)
    assert membership(2026, affiliate).total == Decimal("10000.00")
    assert "Affiliate fee" in membership(2026, affiliate).lines.get().description
    assert not Invoice.objects.filter(organisation=library).exists()


def test_registration_lines_group_by_type_and_recency_and_price_from_the_schedule():
    organisation = publisher()
    register(organisation, "2026-07-02", n=3, year=2026)
    register(organisation, "2026-08-02", n=2, year=2001)
    register(organisation, "2026-09-30", n=4, type="book-chapter", year=2025)
    register(organisation, "2026-09-30", n=10, type="component")
    register(organisation, "2026-06-30", n=5)  # Q2: not on the Q3 invoice
    services.registration_invoices_create(period="2026-Q3")
    invoice = registration("2026-Q3", organisation)
    lines = {
        (line.content_type, line.recency): (line.quantity, line.unit_price, line.amount)
        for line in invoice.lines.all()
    }
    assert lines == {
        ("journal-article", "current"): (3, Decimal("1.00"), Decimal("3.00")),
        ("journal-article", "backfile"): (2, Decimal("0.15"), Decimal("0.30")),
        ("book-chapter", "current"): (4, Decimal("0.25"), Decimal("1.00")),
        ("component", "current"): (10, Decimal("0.06"), Decimal("0.60")),
    }
    assert invoice.total == Decimal("4.90")
    assert (invoice.period_start, invoice.period_end, invoice.status) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
        "draft",
    )


def test_the_year_boundary_prices_a_2024_article_as_current_in_december_and_backfile_in_january():
    organisation = publisher()
    register(organisation, "2026-12-31 23:59:59", year=2024)
    register(organisation, "2027-01-01 00:00:00", year=2024)
    services.registration_invoices_create(period="2026-Q4")
    services.registration_invoices_create(period="2027-Q1")
    assert registration("2026-Q4", organisation).total == Decimal("1.00")
    assert registration("2027-Q1", organisation).total == Decimal("0.15")


def test_grants_follow_the_2026_pilot():
    funder = publisher()
    register(funder, "2025-11-01", type="grant", year=2025)
    register(funder, "2025-11-01", type="grant", year=2010)
    register(funder, "2026-02-01", type="grant", year=2026)
    register(funder, "2026-02-01", type="grant", year=2010)
    services.registration_invoices_create(period="2025-Q4")
    services.registration_invoices_create(period="2026-Q1")
    assert registration("2025-Q4", funder).total == Decimal("2.30")
    assert registration("2026-Q1", funder).total == Decimal("1.00")


def test_members_in_equitable_membership_countries_pay_nothing():
    gem = publisher(country="NP")  # Nepal, in the seeded GEM list
    register(gem, "2026-07-02", n=20)
    assert not services.invoices_create_for_period(period="2026")
    assert not services.invoices_create_for_period(period="2026-Q3")
    assert not Invoice.objects.filter(organisation=gem).exists()


def test_a_waiver_applies_only_while_the_country_is_listed():
    FeeWaiverCountry.objects.create(
        country="FR", effective_from=date(2026, 8, 1), effective_until=date(2026, 8, 31)
    )
    organisation = publisher(country="FR")
    register(organisation, "2026-07-31", n=2)
    register(organisation, "2026-08-15", n=5)
    register(organisation, "2026-09-01", n=3)
    services.registration_invoices_create(period="2026-Q3")
    invoice = registration("2026-Q3", organisation)
    assert invoice.total == Decimal("5.00")
    waived = invoice.lines.get(waived=True)
    assert (waived.quantity, waived.amount) == (5, Decimal("0.00"))
    assert "waived: GEM" in waived.description


def test_sponsored_members_are_invoiced_to_their_sponsor_one_line_per_member():
    sponsor = publisher(kind=OrganisationKind.SPONSOR, revenue_tier=RevenueTier.FROM_1M)
    first = sponsored(sponsor, name="Alpha Journals", revenue_tier=RevenueTier.UP_TO_1K)
    second = sponsored(sponsor, name="Beta Society", revenue_tier=RevenueTier.UNDER_1M)
    waived = sponsored(sponsor, name="Gamma Press", country="BD")
    register(sponsor, "2026-07-10", n=1)
    register(first, "2026-07-10", n=4)
    register(second, "2026-07-11", n=2, depositor=sponsor)
    register(waived, "2026-07-12", n=7)

    services.invoices_create_for_period(period="2026")
    services.invoices_create_for_period(period="2026-Q3")

    for member in (first, second, waived):
        assert not Invoice.objects.filter(organisation=member).exists()
    annual = membership(2026, sponsor)
    assert [(line.registrant, line.amount) for line in annual.lines.all()] == [
        (sponsor, Decimal("550.00")),
        (first, Decimal("200.00")),
        (second, Decimal("275.00")),
        (waived, Decimal("0.00")),
    ]
    assert annual.total == Decimal("1025.00")
    quarterly = registration("2026-Q3", sponsor)
    assert [(line.registrant, line.quantity, line.amount) for line in quarterly.lines.all()] == [
        (sponsor, 1, Decimal("1.00")),
        (first, 4, Decimal("4.00")),
        (second, 2, Decimal("2.00")),
        (waived, 7, Decimal("0.00")),
    ]
    assert "Alpha Journals (member" in quarterly.lines.all()[1].description
    # The CSV behind each line names exactly that member's DOIs.
    rows = list(invoice_csv_rows(quarterly, [quarterly.lines.get(registrant=first)]))
    assert len(rows) == 5 and {row[2] for row in rows[1:]} == {str(first.member_id)}


def test_invoice_runs_are_idempotent(capsys):
    organisations = [publisher(created_at=LONG_AGO) for _ in range(3)]
    for organisation in organisations:
        register(organisation, "2026-04-05", n=2)
    call_command("create_invoices", "--period", "2026-Q2")
    call_command("create_invoices", "--period", "2026-Q2")
    call_command("create_invoices", "--year", "2026")
    call_command("create_invoices", "--year", "2026")
    out = capsys.readouterr().out
    assert "Created 3 draft invoice(s)." in out and "Created 0 draft invoice(s)." in out
    assert Invoice.objects.filter(kind=InvoiceKind.REGISTRATION).count() == 3
    assert Invoice.objects.filter(kind=InvoiceKind.MEMBERSHIP, organisation__in=organisations).count() == 3
    assert AuditEvent.objects.filter(action="invoice.create").count() == Invoice.objects.count()


def test_the_daily_task_creates_what_is_due_once_and_does_not_undo_a_void():
    organisation = publisher()
    today = timezone.localdate()
    last_quarter = Period.quarter_of(today).previous()
    register(organisation, f"{last_quarter.start.isoformat()} 12:00:00", n=2)
    assert create_due_invoices.delay().get() == 2  # this year's membership, last quarter's registrations
    assert create_due_invoices.delay().get() == 0
    voided = services.invoice_void(
        invoice=membership(today.year, organisation), actor=None, reason="joined late"
    )
    assert create_due_invoices.delay().get() == 0
    replacement = services.invoice_replace(invoice=voided, actor=None)
    assert replacement.status == InvoiceStatus.DRAFT and replacement.pk != voided.pk


def test_bad_periods_are_refused_with_the_reason():
    with pytest.raises(BillingError, match="'2026-Q5' is not a billing period"):
        services.invoices_create_for_period(period="2026-Q5")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a billing period"):
        call_command("create_invoices", "--period", "Q3")


def test_a_schedule_change_applies_from_its_date_and_leaves_earlier_invoices_alone():
    organisation = publisher(created_at=LONG_AGO)
    register(organisation, "2026-04-10", n=2)
    services.invoices_create_for_period(period="2026")
    services.invoices_create_for_period(period="2026-Q2")
    q2 = services.invoice_issue(invoice=registration("2026-Q2", organisation), actor=None)

    # Staff raise the article fee from 15 August, and the membership fee from 2027.
    RegistrationFee.objects.create(
        content_type="journal-article",
        effective_from=date(2026, 8, 15),
        current_amount=Decimal("1.10"),
        backfile_amount=Decimal("0.20"),
    )
    AnnualFee.objects.create(
        category="membership",
        revenue_tier=RevenueTier.UNDER_1M,
        effective_from=date(2027, 1, 1),
        amount=Decimal("300"),
    )
    register(organisation, "2026-08-14 23:59:59", n=3)
    register(organisation, "2026-08-15 00:00:00", n=10)
    services.invoices_create_for_period(period="2026-Q3")
    services.invoices_create_for_period(period="2027")

    q3 = registration("2026-Q3", organisation)
    assert [(line.quantity, line.unit_price) for line in q3.lines.all()] == [
        (3, Decimal("1.00")),
        (10, Decimal("1.10")),
    ]
    assert q3.total == Decimal("14.00")
    assert [len(list(invoice_csv_rows(q3, [line]))) - 1 for line in q3.lines.all()] == [3, 10]
    q2.refresh_from_db()
    assert q2.total == Decimal("2.00") and q2.lines.get().unit_price == Decimal("1.00")
    assert membership(2026, organisation).total == Decimal("275.00")
    assert membership(2027, organisation).total == Decimal("300.00")
    # Editing a row in force for an issued invoice changes estimates, never the issued lines.
    RegistrationFee.objects.filter(content_type="journal-article", effective_from=date(2020, 1, 1)).update(
        current_amount=Decimal("5.00")
    )
    q2.refresh_from_db()
    assert q2.lines.get().amount == Decimal("2.00")


def test_numbers_are_allocated_on_issue_and_never_repeat():
    organisations = [OrganisationFactory() for _ in range(4)]
    services.membership_invoices_create(year=2027)
    drafts = list(Invoice.objects.filter(organisation__in=organisations).order_by("pk"))
    assert all(d.number is None for d in drafts)
    year = timezone.localdate().year
    first = services.invoice_issue(invoice=drafts[0], actor=None)
    second = services.invoice_issue(invoice=drafts[1], actor=None)
    services.invoice_void(invoice=second, actor=None, reason="wrong tier")
    replacement = services.invoice_issue(
        invoice=services.invoice_replace(invoice=second, actor=None), actor=None
    )
    services.invoice_void(invoice=drafts[2], actor=None)  # a voided draft never takes a number
    last = services.invoice_issue(invoice=drafts[3], actor=None)
    numbers = [first.number, second.number, replacement.number, last.number]
    assert numbers == [f"INV-{year}-{n:06d}" for n in (1, 2, 3, 4)]
    assert Invoice.objects.get(pk=second.pk).number == f"INV-{year}-000002"
    note = services.credit_note_create(invoice=first, actor=None, reason="goodwill", amount=Decimal("25"))
    assert note.number == f"CN-{year}-000001" and note.total == Decimal("-25.00")


def test_life_cycle_refusals_name_the_state():
    organisation = OrganisationFactory()
    services.membership_invoices_create(year=2027)
    invoice = membership(2027, organisation)
    with pytest.raises(BillingError, match="is draft: only issued invoices can be marked paid"):
        services.invoice_mark_paid(invoice=invoice, actor=None)
    invoice = services.invoice_issue(invoice=invoice, actor=None)
    with pytest.raises(BillingError, match="only draft invoices can be issued"):
        services.invoice_issue(invoice=invoice, actor=None)
    paid = services.invoice_mark_paid(
        invoice=invoice, actor=staff(), received_on=date(2027, 2, 1), reference="BANK-1"
    )
    assert paid.payments.get().amount == Decimal("275.00")
    with pytest.raises(BillingError, match="credit a paid one instead"):
        services.invoice_void(invoice=paid, actor=None)
    services.credit_note_create(invoice=paid, actor=None, reason="overcharged", amount=Decimal("75"))
    with pytest.raises(BillingError, match="at most 200.00 USD"):
        services.credit_note_create(invoice=paid, actor=None, reason="again", amount=Decimal("200.01"))
    rest = services.credit_note_create(invoice=paid, actor=None, reason="closing")
    assert rest.total == Decimal("-200.00")
    assert AuditEvent.objects.filter(action__startswith="invoice.", organisation=organisation).count() == 7


def test_fee_schedule_loads_again_without_touching_edits():
    AnnualFee.objects.filter(revenue_tier=RevenueTier.FROM_1M).update(amount=Decimal("600"))
    call_command("load_fee_schedule")
    assert AnnualFee.objects.get(category="membership", revenue_tier=RevenueTier.FROM_1M).amount == Decimal(
        "600"
    )
    assert RegistrationFee.objects.filter(content_type="grant").count() == 3
