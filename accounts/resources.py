"""django-import-export resources: the spreadsheet view of organisations, prefixes and users.

Imports are keyed on public identifiers (member id, prefix value, email) so a file exported
from one deployment imports into another. Changes that have their own audited service (a
prefix changing owner) are refused here and pointed at the admin action instead."""

from __future__ import annotations

from django.db.models import F
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from accounts.models import Organisation, Prefix, User
from accounts.services import audit_record
from accounts.services.prefixes import prefix_normalise


class _AuditedResource(resources.ModelResource):
    audit_action = ""

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if not kwargs.get("dry_run"):
            organisation = (
                instance if isinstance(instance, Organisation) else getattr(instance, "organisation", None)
            )
            audit_record(
                actor=kwargs.get("user"),
                action=self.audit_action,
                target=instance,
                organisation=organisation,
                after={k: str(v) for k, v in row.items()},
            )


class OrganisationResource(_AuditedResource):
    audit_action = "organisation.import"
    sponsor = fields.Field(
        attribute="sponsor",
        column_name="sponsor_member_id",
        widget=ForeignKeyWidget(Organisation, field="member_id"),
    )

    class Meta:
        model = Organisation
        import_id_fields = ["member_id"]
        fields = [
            "member_id",
            "name",
            "kind",
            "sponsor",
            "country",
            "revenue_tier",
            "status",
            "website",
            "address",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def filter_export(self, queryset, **kwargs):
        # Sponsors before the members they sponsor: importing the file looks each
        # sponsor up by member id, so it must already be there.
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.order_by(F("sponsor_id").asc(nulls_first=True), "member_id")


class PrefixResource(_AuditedResource):
    audit_action = "prefix.import"
    organisation = fields.Field(
        attribute="organisation",
        column_name="member_id",
        widget=ForeignKeyWidget(Organisation, field="member_id"),
    )

    class Meta:
        model = Prefix
        import_id_fields = ["value"]
        fields = ["value", "organisation", "status", "assigned_at"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        row["value"] = prefix_normalise(str(row.get("value", "")))

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk:
            stored = Prefix.objects.get(pk=instance.pk)
            if stored.organisation_id and stored.organisation_id != instance.organisation_id:
                raise ValueError(
                    f"{stored.value} belongs to {stored.organisation}: move it with the prefix "
                    "admin's 'Transfer to another organisation' action, which keeps its history."
                )


class UserResource(_AuditedResource):
    """Users without passwords or superuser flags: imported people set their password
    through the reset link."""

    audit_action = "user.import"

    class Meta:
        model = User
        import_id_fields = ["email"]
        fields = ["email", "full_name", "is_active", "is_staff", "date_joined"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        row["email"] = str(row.get("email", "")).strip().lower()

    def after_init_instance(self, instance, new, row, **kwargs):
        # Before validation, which would refuse a new user's blank password.
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.set_unusable_password()
