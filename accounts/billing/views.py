"""Billing pages under /account/<member_id>/billing/, for the billing role (and admins)."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.billing import selectors
from accounts.billing.documents import invoice_filename, invoice_html, invoice_pdf
from accounts.models import Organisation, Role
from accounts.views import for_organisation

BILLING = frozenset({Role.BILLING})  # admins pass too: admin implies every role


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@for_organisation(read=BILLING, write=BILLING)
def billing(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    return render(
        request,
        "billing/billing.html",
        {
            **context,
            "tab": "billing",
            "quarter": selectors.quarter_so_far(organisation),
            "invoices": selectors.organisation_invoices(organisation),
            "billing_contacts": selectors.billing_contacts(organisation),
        },
    )


@for_organisation(read=BILLING, write=BILLING)
def invoice(request: HttpRequest, organisation: Organisation, context: dict, invoice_id: int) -> HttpResponse:
    found = selectors.organisation_invoice(organisation, invoice_id)
    return HttpResponse(invoice_html(found, extra={"member_view": True}))


@for_organisation(read=BILLING, write=BILLING)
def invoice_download_pdf(
    request: HttpRequest, organisation: Organisation, context: dict, invoice_id: int
) -> HttpResponse:
    found = selectors.organisation_invoice(organisation, invoice_id)
    response = HttpResponse(invoice_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice_filename(found, "pdf")}"'
    return response


@for_organisation(read=BILLING, write=BILLING)
def invoice_dois(
    request: HttpRequest,
    organisation: Organisation,
    context: dict,
    invoice_id: int,
    position: int | None = None,
) -> StreamingHttpResponse:
    """The DOIs behind one line (or every line) of an invoice, as CSV."""
    found = selectors.organisation_invoice(organisation, invoice_id)
    lines = found.lines.select_related("registrant", "invoice")
    if position is not None:
        lines = [get_object_or_404(lines, position=position)]
        name = invoice_filename(found, f"line-{position}.csv")
    else:
        name = invoice_filename(found, "dois.csv")
    return _csv_response(selectors.invoice_csv_rows(found, list(lines)), name)
