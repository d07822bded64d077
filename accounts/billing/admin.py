"""The billing back office: the fee schedule (with import/export), invoices with actions
that call the billing services, and the read-only ledger."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.admin import ExportMixin, ImportExportModelAdmin

from accounts.billing import services
from accounts.billing.documents import invoice_filename, invoice_html, invoice_pdf
from accounts.billing.models import (
    AnnualFee,
    FeeWaiverCountry,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    InvoiceStatus,
    PaymentRecord,
    RegistrationCharge,
    RegistrationFee,
)
from accounts.billing.resources import (
    AnnualFeeResource,
    FeeWaiverCountryResource,
    InvoiceResource,
    RegistrationFeeResource,
)
from accounts.errors import AccountsError


def _each(modeladmin, request: HttpRequest, queryset: QuerySet, call: Callable, done: str) -> None:
    succeeded = 0
    for obj in queryset:
        try:
            call(obj)
        except AccountsError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)


def _ask(modeladmin, request, queryset, form_class, title: str, action: str, apply: Callable):
    """Ask for more (a reference, a reason) on a page of its own before acting."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        apply(form)
        return None
    return TemplateResponse(
        request,
        "admin/accounts/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": queryset,
            "form": form,
            "action": action,
            "opts": modeladmin.model._meta,
        },
    )


class PaymentForm(forms.Form):
    received_on = forms.DateField(help_text="YYYY-MM-DD")
    reference = forms.CharField(max_length=100, required=False, help_text="Bank or card reference.")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualFee)
class AnnualFeeAdmin(ImportExportModelAdmin):
    resource_classes = [AnnualFeeResource]
    list_display = ["category", "revenue_tier", "effective_from", "amount", "note"]
    list_filter = ["category", "revenue_tier", "effective_from"]
    ordering = ["category", "revenue_tier", "-effective_from"]


@admin.register(RegistrationFee)
class RegistrationFeeAdmin(ImportExportModelAdmin):
    resource_classes = [RegistrationFeeResource]
    list_display = ["content_type", "effective_from", "current_amount", "backfile_amount", "note"]
    list_filter = ["effective_from"]
    search_fields = ["content_type"]


@admin.register(FeeWaiverCountry)
class FeeWaiverCountryAdmin(ImportExportModelAdmin):
    resource_classes = [FeeWaiverCountryResource]
    list_display = ["country", "programme", "effective_from", "effective_until"]
    list_filter = ["programme"]
    search_fields = ["country"]


class InvoiceLineInline(ReadOnly, admin.TabularInline):
    model = InvoiceLine
    fields = ["position", "description", "quantity", "unit_price", "amount", "waived", "registered_from"]
    readonly_fields = fields
    extra = 0


class PaymentInline(ReadOnly, admin.TabularInline):
    model = PaymentRecord
    fields = ["amount", "received_on", "reference", "recorded_by", "recorded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [InvoiceResource]
    list_display = ["__str__", "organisation", "kind", "period", "status", "total", "issued_at", "due_on"]
    list_filter = ["status", "kind", "period"]
    search_fields = ["number", "organisation__name", "=organisation__member_id"]
    date_hierarchy = "period_start"
    raw_id_fields = ["organisation", "credited_invoice"]
    inlines = [InvoiceLineInline, PaymentInline]
    fields = [
        "organisation",
        "kind",
        "period",
        "status",
        "number",
        "total",
        "currency",
        "credited_invoice",
        "issued_at",
        "due_on",
        "paid_at",
        "payment_reference",
        "voided_at",
        "document",
        "note",
    ]
    readonly_fields = [f for f in fields if f != "note"]
    actions = ["issue", "mark_paid", "void", "credit_in_full", "replace"]

    def has_add_permission(self, request):
        return False  # invoices come from runs (create_invoices, the daily task) and credit notes

    def has_delete_permission(self, request, obj=None):
        return False  # void instead: numbers are never reused

    def get_urls(self):
        own = [
            path(
                "<int:pk>/document/",
                self.admin_site.admin_view(self.document_html),
                name="billing_invoice_html",
            ),
            path(
                "<int:pk>/document.pdf",
                self.admin_site.admin_view(self.document_pdf),
                name="billing_invoice_pdf",
            ),
        ]
        return own + super().get_urls()

    def _viewable(self, request, pk: int) -> Invoice:
        invoice = get_object_or_404(Invoice.objects.select_related("organisation"), pk=pk)
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied("This needs permission to view invoices.")
        return invoice

    def document_html(self, request, pk: int) -> HttpResponse:
        return HttpResponse(invoice_html(self._viewable(request, pk)))

    def document_pdf(self, request, pk: int) -> HttpResponse:
        invoice = self._viewable(request, pk)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice_filename(invoice, "pdf")}"'
        return response

    @admin.display(description="Document")
    def document(self, obj: Invoice) -> str:
        return format_html(
            '<a href="{}">HTML</a> · <a href="{}">PDF</a>{}',
            reverse("admin:billing_invoice_html", args=[obj.pk]),
            reverse("admin:billing_invoice_pdf", args=[obj.pk]),
            " (draft: no number until issued)" if obj.status == InvoiceStatus.DRAFT else "",
        )

    @admin.action(description="Issue the selected drafts (gives each a number)")
    def issue(self, request, queryset):
        _each(
            self,
            request,
            queryset.order_by("pk"),
            lambda invoice: services.invoice_issue(invoice=invoice, actor=request.user),
            "Invoices issued",
        )

    @admin.action(description="Mark the selected invoices paid")
    def mark_paid(self, request, queryset):
        def apply(form):
            _each(
                self,
                request,
                queryset,
                lambda invoice: services.invoice_mark_paid(
                    invoice=invoice,
                    actor=request.user,
                    received_on=form.cleaned_data["received_on"],
                    reference=form.cleaned_data["reference"],
                ),
                "Invoices marked paid",
            )

        return _ask(self, request, queryset, PaymentForm, "Mark invoices paid", "mark_paid", apply)

    @admin.action(description="Void the selected invoices (they keep their numbers)")
    def void(self, request, queryset):
        def apply(form):
            _each(
                self,
                request,
                queryset,
                lambda invoice: services.invoice_void(
                    invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                "Invoices voided",
            )

        return _ask(self, request, queryset, ReasonForm, "Void invoices", "void", apply)

    @admin.action(description="Credit the selected invoices in full (issues credit notes)")
    def credit_in_full(self, request, queryset):
        def apply(form):
            _each(
                self,
                request,
                queryset,
                lambda invoice: services.credit_note_create(
                    invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                "Credit notes issued",
            )

        return _ask(self, request, queryset, ReasonForm, "Issue credit notes", "credit_in_full", apply)

    @admin.action(description="Create a new draft for the selected void invoices")
    def replace(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda invoice: services.invoice_replace(invoice=invoice, actor=request.user),
            "Replacements made (none when nothing is owed)",
        )


@admin.register(RegistrationCharge)
class RegistrationChargeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "doi",
        "registrant",
        "payer",
        "content_type",
        "recency",
        "publication_year",
        "registered_at",
    ]
    list_filter = ["recency", "source", "content_type"]
    search_fields = ["=doi", "=prefix", "=registrant__member_id", "=payer__member_id"]
    date_hierarchy = "registered_at"
    raw_id_fields = ["registrant", "payer"]
    show_full_result_count = False  # the ledger is large: no COUNT(*) on every page


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["invoice", "position", "description", "quantity", "unit_price", "amount", "waived"]
    list_filter = ["waived", "recency"]
    search_fields = ["=invoice__number", "description", "=registrant__member_id"]
    raw_id_fields = ["invoice", "registrant"]


@admin.register(PaymentRecord)
class PaymentRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["invoice", "amount", "received_on", "reference", "recorded_by"]
    search_fields = ["=invoice__number", "reference"]
    raw_id_fields = ["invoice", "recorded_by"]


@admin.register(InvoiceNumberSequence)
class InvoiceNumberSequenceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["series", "year", "last"]
