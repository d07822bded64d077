"""Billing writes. Registration calls `registrations_record` for every DOI it creates
(linking imports accounts, never the reverse), so billing owns its ledger."""

from accounts.billing.services.invoices import (
    credit_note_create,
    invoice_issue,
    invoice_mark_paid,
    invoice_number_allocate,
    invoice_replace,
    invoice_void,
    invoices_create_due,
    invoices_create_for_period,
    membership_invoices_create,
    registration_invoices_create,
)
from accounts.billing.services.ledger import UNCHARGED_SOURCES, NewRegistration, registrations_record

__all__ = [
    "UNCHARGED_SOURCES",
    "NewRegistration",
    "credit_note_create",
    "invoice_issue",
    "invoice_mark_paid",
    "invoice_number_allocate",
    "invoice_replace",
    "invoice_void",
    "invoices_create_due",
    "invoices_create_for_period",
    "membership_invoices_create",
    "registration_invoices_create",
    "registrations_record",
]
