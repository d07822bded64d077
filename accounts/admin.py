"""The staff back office for accounts. Actions call services, so the admin writes the
same audit records and sends the same mail as every other way in."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django_countries.filters import CountryFilter
from import_export.admin import ImportExportModelAdmin

from accounts import services
from accounts.errors import AccountsError
from accounts.models import (
    ApplicationStatus,
    AuditEvent,
    Contact,
    DepositCredential,
    Invitation,
    Membership,
    MembershipApplication,
    Organisation,
    OrganisationStatus,
    Prefix,
    PrefixTransfer,
    User,
)
from accounts.resources import OrganisationResource, PrefixResource, UserResource


def _run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    call: Callable,
    done: str,
) -> None:
    """Apply a service to each selected object; report successes and each refusal."""
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are history: staff read them, nobody edits or deletes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class TransferForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(status=OrganisationStatus.ACTIVE),
        label="New owner",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False)


def _intermediate(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    form_class: type[forms.Form],
    title: str,
    action: str,
    apply: Callable[[forms.Form], None],
):
    """An action that first asks for more (a reason, a target) on its own page."""
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


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


class PrefixInline(admin.TabularInline):
    model = Prefix
    extra = 0
    fields = ["value", "status", "assigned_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # prefixes are assigned with the action, which audits them


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "member_id", "kind", "status", "country", "revenue_tier", "sponsor", "created_at"]
    list_filter = ["status", "kind", "revenue_tier", ("country", CountryFilter)]
    search_fields = ["name", "=member_id", "prefixes__value", "contacts__email"]
    raw_id_fields = ["sponsor"]
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [ContactInline, MembershipInline, PrefixInline]
    actions = ["assign_prefix", "suspend", "reactivate", "close"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.audit_record(
            actor=request.user,
            action="organisation.update" if change else "organisation.create",
            target=obj,
            organisation=obj,
            after={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            message="Edited in the admin",
        )

    @admin.action(description="Assign the next free prefix")
    def assign_prefix(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda org: services.prefix_assign(organisation=org, actor=request.user),
            "Prefixes assigned",
        )

    def _status_with_reason(self, request, queryset, status: str, action: str, title: str):
        def apply(form):
            _run_each(
                self,
                request,
                queryset,
                lambda org: services.organisation_set_status(
                    organisation=org, status=status, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                f"Organisations {status}",
            )

        return _intermediate(self, request, queryset, ReasonForm, title, action, apply)

    @admin.action(description="Suspend (asks for a reason)")
    def suspend(self, request, queryset):
        return self._status_with_reason(request, queryset, OrganisationStatus.SUSPENDED, "suspend", "Suspend")

    @admin.action(description="Close (asks for a reason)")
    def close(self, request, queryset):
        return self._status_with_reason(request, queryset, OrganisationStatus.CLOSED, "close", "Close")

    @admin.action(description="Reactivate")
    def reactivate(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda org: services.organisation_set_status(
                organisation=org, status=OrganisationStatus.ACTIVE, actor=request.user
            ),
            "Organisations reactivated",
        )


class PrefixTransferInline(admin.TabularInline):
    model = PrefixTransfer
    fk_name = "prefix"
    extra = 0
    fields = ["transferred_at", "from_organisation", "to_organisation", "actor", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Prefix)
class PrefixAdmin(ImportExportModelAdmin):
    resource_classes = [PrefixResource]
    list_display = ["value", "organisation", "status", "assigned_at"]
    list_filter = ["status"]
    search_fields = ["value", "organisation__name", "=organisation__member_id"]
    raw_id_fields = ["organisation"]
    inlines = [PrefixTransferInline]
    actions = ["transfer"]

    def get_readonly_fields(self, request, obj=None):
        # Once stored, the owner changes only through the audited transfer action.
        return ["organisation", "assigned_at", "created_at"] if obj else ["created_at"]

    @admin.action(description="Transfer to another organisation")
    def transfer(self, request, queryset):
        def apply(form):
            _run_each(
                self,
                request,
                queryset,
                lambda prefix: services.prefix_transfer(
                    prefix=prefix,
                    to_organisation=form.cleaned_data["to_organisation"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                ),
                "Prefixes transferred",
            )

        return _intermediate(self, request, queryset, TransferForm, "Transfer prefixes", "transfer", apply)


@admin.register(PrefixTransfer)
class PrefixTransferAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "from_organisation", "to_organisation", "actor", "transferred_at"]
    search_fields = ["prefix__value", "from_organisation__name", "to_organisation__name"]
    date_hierarchy = "transferred_at"


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "organisation_name",
        "kind",
        "country",
        "revenue_tier",
        "primary_email",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "kind", "revenue_tier", ("country", CountryFilter)]
    search_fields = ["organisation_name", "primary_email", "primary_name"]
    readonly_fields = [
        "status",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "organisation",
        "rejection_reason",
    ]
    raw_id_fields = ["sponsor"]
    actions = ["approve", "reject"]
    date_hierarchy = "submitted_at"

    @admin.action(description="Approve: activate, assign a prefix, make the applicant admin")
    def approve(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda application: services.application_approve(application=application, actor=request.user),
            "Applications approved",
        )

    @admin.action(description="Reject (asks for a reason, sent to the applicant)")
    def reject(self, request, queryset):
        queryset = queryset.filter(status=ApplicationStatus.PENDING)

        def apply(form):
            _run_each(
                self,
                request,
                queryset,
                lambda application: services.application_reject(
                    application=application, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                "Applications rejected",
            )

        return _intermediate(self, request, queryset, ReasonForm, "Reject applications", "reject", apply)


class UserMembershipInline(MembershipInline):
    raw_id_fields = ["organisation"]


@admin.register(User)
class UserAdmin(ImportExportModelAdmin, DjangoUserAdmin):
    resource_classes = [UserResource]
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name", "memberships__organisation__name"]
    inlines = [UserMembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "role", "organisation", "phone"]
    list_filter = ["role"]
    search_fields = ["name", "email", "organisation__name", "=organisation__member_id"]
    raw_id_fields = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name", "=organisation__member_id"]
    raw_id_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "roles", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
    readonly_fields = ["accepted_at", "accepted_by"]


@admin.register(DepositCredential)
class DepositCredentialAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "kind", "label", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["username", "token_prefix", "label", "organisation__name"]
    raw_id_fields = ["organisation", "created_by", "revoked_by"]
    readonly_fields = [
        "kind",
        "username",
        "token_prefix",
        "password_hash",
        "token_hash",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # secrets are shown once on the member's credentials page

    @admin.action(description="Revoke")
    def revoke(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda credential: services.credential_revoke(credential=credential, actor=request.user),
            "Credentials revoked",
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "target_repr", "organisation", "actor"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "message", "actor__email", "organisation__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["organisation", "actor"]


from accounts.billing import admin as billing_admin  # noqa: E402, F401  (registers the billing admin)
