"""The invoice document: one template, served as HTML and printed to PDF by WeasyPrint."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from accounts.billing.models import Invoice
from accounts.billing.selectors import billing_contacts


def invoice_context(invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "lines": invoice.lines.select_related("registrant"),
        "organisation": invoice.organisation,
        "billing_contacts": billing_contacts(invoice.organisation),
        "credit_notes": invoice.credit_notes.exclude(status="void").order_by("issued_at"),
        "site_name": getattr(settings, "SITE_NAME", "DOI Registration Portal"),
    }


def invoice_html(invoice: Invoice, *, extra: dict | None = None) -> str:
    return render_to_string("billing/invoice_document.html", {**invoice_context(invoice), **(extra or {})})


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # imported when needed: it loads Pango and fonts

    # No base_url: the document is self-contained, so nothing is fetched while printing.
    return HTML(string=invoice_html(invoice, extra={"for_print": True})).write_pdf()


def invoice_filename(invoice: Invoice, extension: str) -> str:
    return f"{invoice.number or f'draft-{invoice.pk}'}.{extension}"
