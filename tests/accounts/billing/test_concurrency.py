"""Invoice numbers and invoice runs under concurrency, on the real database, with real
threads each holding its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, OperationalError, close_old_connections, connection
from django.utils import timezone

from accounts.billing import services
from accounts.billing.models import Invoice, InvoiceKind
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(calls) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            call()
        except (OperationalError, IntegrityError) as error:  # SQLite: "database is locked"
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_numbers_issued_at_the_same_time_never_repeat():
    organisations = [OrganisationFactory() for _ in range(12)]
    services.membership_invoices_create(year=2027)
    drafts = list(Invoice.objects.filter(organisation__in=organisations))
    errors = _in_threads([lambda d=d: services.invoice_issue(invoice=d, actor=None) for d in drafts])
    if connection.vendor == "postgresql":
        assert errors == []  # row locks make every issuer wait its turn
    for draft in Invoice.objects.filter(status="draft", organisation__in=organisations):
        services.invoice_issue(invoice=draft, actor=None)  # what SQLite refused, one at a time
    numbers = list(Invoice.objects.filter(organisation__in=organisations).values_list("number", flat=True))
    year = timezone.localdate().year
    assert sorted(numbers) == [f"INV-{year}-{n:06d}" for n in range(1, 13)]


def test_two_runs_at_once_create_each_invoice_once():
    organisations = [OrganisationFactory() for _ in range(5)]
    _in_threads([lambda: services.membership_invoices_create(year=2027) for _ in range(3)])
    services.membership_invoices_create(year=2027)
    counts = [
        Invoice.objects.filter(organisation=o, kind=InvoiceKind.MEMBERSHIP, period="2027").count()
        for o in organisations
    ]
    assert counts == [1] * 5


def test_the_database_refuses_a_second_live_invoice_for_a_period():
    organisation = OrganisationFactory()
    [invoice] = services.membership_invoices_create(year=2027)
    duplicate = dict(
        organisation=organisation,
        kind=invoice.kind,
        period="2027",
        period_start=invoice.period_start,
        period_end=invoice.period_end,
    )
    with pytest.raises(IntegrityError):
        Invoice.objects.create(**duplicate)
