"""Import/export of the fee schedule, keyed on what makes a row unique (its key and the
date it applies from), so a spreadsheet round-trips and adds next year's rows beside
this year's instead of overwriting them."""

from __future__ import annotations

from import_export import fields, resources

from accounts.billing.models import AnnualFee, FeeWaiverCountry, Invoice, RegistrationFee


class AnnualFeeResource(resources.ModelResource):
    class Meta:
        model = AnnualFee
        import_id_fields = ["category", "revenue_tier", "effective_from"]
        fields = ["category", "revenue_tier", "effective_from", "amount", "note"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True


class RegistrationFeeResource(resources.ModelResource):
    class Meta:
        model = RegistrationFee
        import_id_fields = ["content_type", "effective_from"]
        fields = ["content_type", "effective_from", "current_amount", "backfile_amount", "note"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True


class FeeWaiverCountryResource(resources.ModelResource):
    class Meta:
        model = FeeWaiverCountry
        import_id_fields = ["country", "effective_from"]
        fields = ["country", "effective_from", "effective_until", "programme"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True


class InvoiceResource(resources.ModelResource):
    """Export only: invoices change through their services, never from a spreadsheet."""

    member_id = fields.Field(attribute="organisation__member_id", column_name="member_id")
    organisation = fields.Field(attribute="organisation__name", column_name="organisation")

    class Meta:
        model = Invoice
        fields = [
            "number",
            "member_id",
            "organisation",
            "kind",
            "period",
            "status",
            "total",
            "currency",
            "issued_at",
            "due_on",
            "paid_at",
            "payment_reference",
        ]
        export_order = fields
