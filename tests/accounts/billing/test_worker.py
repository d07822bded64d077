"""The daily invoice task through Redis and a real Celery worker."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.billing.models import Invoice, InvoiceKind
from accounts.billing.periods import Period
from accounts.billing.tasks import create_due_invoices
from tests.accounts.billing.helpers import publisher, register

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_create_due_invoices_runs_on_the_worker(celery_worker, wait_for):
    organisation = publisher()
    last_quarter = Period.quarter_of(timezone.localdate()).previous()
    register(organisation, f"{last_quarter.start.isoformat()} 09:00:00", n=3)
    create_due_invoices.delay()
    create_due_invoices.delay()  # a second run the same day adds nothing
    invoices = Invoice.objects.filter(organisation=organisation)
    wait_for(lambda: invoices.count() >= 2)
    wait_for(
        lambda: celery_worker.consumer.controller.state.total_count.get(create_due_invoices.name, 0) >= 2
    )
    assert set(invoices.values_list("kind", "period")) == {
        (InvoiceKind.MEMBERSHIP, str(timezone.localdate().year)),
        (InvoiceKind.REGISTRATION, last_quarter.label),
    }
