"""The staff back office for submissions: find one by file name, batch id or any DOI in
it, read its log and problems, and send stuck ones to the worker again (through the
service, as every other way in does)."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from deposits import services
from deposits.models import Submission, SubmissionRecord


class SubmissionRecordInline(admin.TabularInline):
    """The per-record log: history, so nobody edits it."""

    model = SubmissionRecord
    fields = ("position", "doi", "status", "code", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "file_name",
        "organisation",
        "channel",
        "operation",
        "status",
        "record_count",
        "success_count",
        "warning_count",
        "failure_count",
        "created_at",
    )
    list_display_links = ("id", "file_name")
    list_filter = ("status", "channel", "operation")
    search_fields = ("file_name", "batch_id", "uid", "records__doi", "organisation__name")
    list_select_related = ("organisation",)
    date_hierarchy = "created_at"
    raw_id_fields = ("organisation", "credential", "user")
    readonly_fields = (
        "uid",
        "organisation",
        "credential",
        "user",
        "channel",
        "operation",
        "file",
        "file_name",
        "size",
        "sha256",
        "status",
        "history_pretty",
        "batch_id",
        "head_timestamp",
        "depositor_email",
        "schema",
        "problems_pretty",
        "record_count",
        "success_count",
        "warning_count",
        "failure_count",
        "task_id",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
    )
    fieldsets = (
        (None, {"fields": ("uid", "organisation", "credential", "user", "channel", "operation")}),
        ("File", {"fields": ("file", "file_name", "size", "sha256", "schema")}),
        ("Head", {"fields": ("batch_id", "head_timestamp", "depositor_email")}),
        (
            "Outcome",
            {
                "fields": (
                    "status",
                    "record_count",
                    "success_count",
                    "warning_count",
                    "failure_count",
                    "problems_pretty",
                    "history_pretty",
                )
            },
        ),
        ("Processing", {"fields": ("task_id", "attempts", "created_at", "started_at", "finished_at")}),
    )
    inlines = [SubmissionRecordInline]
    actions = ["process_again"]

    def has_add_permission(self, request):
        # Submissions come in through the upload page, the endpoint or the command.
        return False

    @admin.display(description="Problems")
    def problems_pretty(self, obj: Submission) -> str:
        return _pretty_json(obj.problems)

    @admin.display(description="History")
    def history_pretty(self, obj: Submission) -> str:
        return _pretty_json(obj.history)

    @admin.action(description="Process again")
    def process_again(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        sent = services.submissions_requeue(submission_ids=list(queryset.values_list("pk", flat=True)))
        if sent:
            self.message_user(request, f"Sent to the worker again: {sent}.", messages.SUCCESS)


def _pretty_json(value) -> str:
    if not value:
        return "—"
    return format_html(
        '<pre class="pretty-json" style="white-space: pre-wrap; margin: 0">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False),
    )
