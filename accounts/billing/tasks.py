"""Thin billing tasks (on the beat schedule in settings)."""

from celery import shared_task

from accounts.billing import services


@shared_task(acks_late=True)
def create_due_invoices() -> int:
    """Daily: create the invoices that are due and not made yet; return how many."""
    return len(services.invoices_create_due())
