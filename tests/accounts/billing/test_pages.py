"""Billing pages: who sees them, what they show, and the invoice documents."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse
from django.utils import timezone

from accounts.billing import services
from accounts.billing.models import Invoice, InvoiceKind, InvoiceStatus, RegistrationFee
from accounts.billing.resources import RegistrationFeeResource
from accounts.models import ContactRole, OrganisationKind, Role
from tests.accounts.billing.helpers import publisher, register, sponsored
from tests.factories import ContactFactory, member, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    """An organisation with an issued registration invoice for last quarter."""
    organisation = publisher(name="Ledger Press")
    register(organisation, "2026-07-02", n=3)
    register(organisation, "2026-07-03", n=2, year=1999)
    [draft] = services.registration_invoices_create(period="2026-Q3")
    return services.invoice_issue(invoice=draft, actor=None)


def pages(invoice: Invoice) -> list[str]:
    member_id = invoice.organisation.member_id
    return [
        reverse("billing:billing", args=[member_id]),
        reverse("billing:invoice", args=[member_id, invoice.pk]),
        reverse("billing:invoice_pdf", args=[member_id, invoice.pk]),
        reverse("billing:invoice_dois", args=[member_id, invoice.pk]),
        reverse("billing:line_dois", args=[member_id, invoice.pk, 1]),
    ]


@pytest.mark.parametrize("role", [Role.BILLING, Role.ADMIN])
def test_billing_role_and_admins_see_every_billing_page(client, issued, role):
    client.force_login(member(issued.organisation, role))
    for url in pages(issued):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.DEPOSITOR, Role.VIEWER])
def test_members_without_the_billing_role_get_403_naming_it(client, issued, role):
    client.force_login(member(issued.organisation, role))
    for url in pages(issued):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "This needs the billing role for Ledger Press" in response.content.decode()


def test_another_organisations_people_get_404(client, issued):
    other = publisher()
    client.force_login(member(other, Role.BILLING))
    for url in pages(issued):
        assert client.get(url).status_code == 404, url
    # Nor can they reach the invoice under their own member id.
    url = reverse("billing:invoice", args=[other.member_id, issued.pk])
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, issued):
    response = client.get(pages(issued)[0])
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_drafts_are_not_shown_to_members(client):
    organisation = publisher()
    register(organisation, "2026-07-02")
    [draft] = services.registration_invoices_create(period="2026-Q3")
    client.force_login(member(organisation, Role.BILLING))
    assert client.get(reverse("billing:invoice", args=[organisation.member_id, draft.pk])).status_code == 404
    assert (
        "No invoices yet"
        in client.get(reverse("billing:billing", args=[organisation.member_id])).content.decode()
    )


def test_the_billing_page_shows_the_quarter_so_far_invoices_and_the_billing_contact(client, issued):
    organisation = issued.organisation
    ContactFactory(
        organisation=organisation, role=ContactRole.BILLING, name="Pat Payable", email="ap@ledger.example"
    )
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    register(organisation, now, n=4)
    register(organisation, now, n=2, type="book-chapter")
    client.force_login(member(organisation, Role.BILLING))
    page = client.get(reverse("billing:billing", args=[organisation.member_id])).content.decode()
    assert "book-chapter" in page and "4.50" in page  # 4 × 1.00 + 2 × 0.25
    assert issued.number in page and "3.30 USD" in page
    assert "Pat Payable" in page and reverse("accounts:contacts", args=[organisation.member_id]) in page


def test_a_sponsored_member_sees_its_own_registrations_and_is_told_its_sponsor_pays(client):
    sponsor = publisher(kind=OrganisationKind.SPONSOR, name="Umbrella Sponsor")
    small = sponsored(sponsor, name="Small Press")
    register(small, timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"), n=3)
    client.force_login(member(small, Role.BILLING))
    page = client.get(reverse("billing:billing", args=[small.member_id])).content.decode()
    assert "invoiced to your sponsor, Umbrella Sponsor" in page and "3.00" in page


def test_invoice_pdf_renders(client, issued):
    client.force_login(member(issued.organisation, Role.BILLING))
    response = client.get(reverse("billing:invoice_pdf", args=[issued.organisation.member_id, issued.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{issued.number}.pdf"' in response["Content-Disposition"]


def test_invoice_html_lists_the_lines_and_links_each_line_csv(client, issued):
    client.force_login(member(issued.organisation, Role.BILLING))
    html = client.get(
        reverse("billing:invoice", args=[issued.organisation.member_id, issued.pk])
    ).content.decode()
    assert (
        issued.number in html
        and "journal-article DOIs, current" in html
        and "journal-article DOIs, backfile" in html
    )
    assert reverse("billing:line_dois", args=[issued.organisation.member_id, issued.pk, 2]) in html


def test_doi_csv_lists_the_dois_behind_each_line(client, issued):
    client.force_login(member(issued.organisation, Role.BILLING))
    member_id = issued.organisation.member_id
    whole = client.get(reverse("billing:invoice_dois", args=[member_id, issued.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(whole.streaming_content).decode())))
    assert len(rows) == 5
    assert {(row["recency"], row["unit_price"]) for row in rows} == {
        ("current", "1.00"),
        ("backfile", "0.15"),
    }
    backfile_line = issued.lines.get(recency="backfile").position
    one = client.get(reverse("billing:line_dois", args=[member_id, issued.pk, backfile_line]))
    rows = list(csv.DictReader(io.StringIO(b"".join(one.streaming_content).decode())))
    assert [row["publication_year"] for row in rows] == ["1999", "1999"]
    assert client.get(reverse("billing:line_dois", args=[member_id, issued.pk, 99])).status_code == 404


def test_staff_issue_mark_paid_void_and_credit_from_the_admin(client):
    organisations = [publisher() for _ in range(3)]
    services.membership_invoices_create(year=2027)
    drafts = Invoice.objects.filter(organisation__in=organisations, kind=InvoiceKind.MEMBERSHIP).order_by(
        "pk"
    )
    client.force_login(staff())
    changelist = reverse("admin:accounts_invoice_changelist")
    ids = [str(pk) for pk in drafts.values_list("pk", flat=True)]
    client.post(changelist, {"action": "issue", "_selected_action": ids})
    assert set(drafts.values_list("status", flat=True)) == {InvoiceStatus.ISSUED}

    response = client.post(changelist, {"action": "mark_paid", "_selected_action": ids[:1]})
    assert b"received_on" in response.content  # asks for the payment date first
    client.post(
        changelist,
        {
            "action": "mark_paid",
            "_selected_action": ids[:1],
            "apply": "1",
            "received_on": "2027-02-03",
            "reference": "W-1",
        },
    )
    paid = Invoice.objects.get(pk=ids[0])
    assert (paid.status, paid.payment_reference, paid.payments.get().amount) == (
        "paid",
        "W-1",
        Decimal("275.00"),
    )

    client.post(
        changelist, {"action": "void", "_selected_action": ids[1:2], "apply": "1", "reason": "closed"}
    )
    assert Invoice.objects.get(pk=ids[1]).status == InvoiceStatus.VOID
    client.post(
        changelist,
        {"action": "credit_in_full", "_selected_action": ids[:1], "apply": "1", "reason": "refund"},
    )
    assert paid.credit_notes.get().total == Decimal("-275.00")

    pdf = client.get(reverse("admin:billing_invoice_pdf", args=[paid.pk]))
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("admin:accounts_registrationcharge_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_registrationfee_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_invoice_change", args=[paid.pk])).status_code == 200


def test_staff_export_and_import_the_fee_schedule(client):
    client.force_login(staff())
    form = client.get(reverse("admin:accounts_registrationfee_export")).context["form"]
    fields = {name: "on" for name in form.fields if name.startswith("registrationfeeresource_")}
    export = client.post(
        reverse("admin:accounts_registrationfee_export"), {"format": "0", "resource": "0", **fields}
    )
    assert export["Content-Type"].startswith("text/csv")
    text = export.content.decode()
    assert "journal-article,2020-01-01,1.00,0.15" in text

    # Next year's prices go in beside this year's; an existing row is updated in place.
    dataset = tablib.Dataset(headers=text.splitlines()[0].split(","))
    dataset.append(["journal-article", "2027-01-01", "1.25", "0.20", "raised"])
    dataset.append(["component", "2020-01-01", "0.07", "0.07", "corrected"])
    result = RegistrationFeeResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert RegistrationFee.objects.filter(content_type="journal-article").count() == 2
    assert RegistrationFee.objects.get(content_type="component").current_amount == Decimal("0.07")
