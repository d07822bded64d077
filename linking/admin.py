"""The registry in the staff back office. Works and titles are written only by
registration (deposits, the form, imports), so here they are read, searched and
reindexed; funders are imported and exported; third-party updates, DOI error reports,
conflicts, resolution counts and Simple Text Query jobs are reviewed."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin

from accounts.admin import ReadOnlyAdmin
from linking.conflicts import conflict_resolve
from linking.models import (
    ConflictStatus,
    DoiErrorReport,
    ExternalUpdate,
    Funder,
    ResolutionCount,
    SimpleTextQueryJob,
    Title,
    TitleIdentifier,
    Work,
    WorkConflict,
)
from linking.resources import FunderResource
from linking.search import index_works, works_ids_sql, works_matching


def _pretty_json(value) -> str:
    return format_html(
        "<pre style='white-space: pre-wrap'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


@admin.register(Work)
class WorkAdmin(ReadOnlyAdmin):
    list_display = ["doi", "type", "title_short", "organisation", "issued", "updated_at"]
    list_filter = ["type", "source", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["doi"]
    search_help_text = "A DOI (exact, or a prefix such as 10.5555/), or words of the title."
    list_select_related = ["organisation"]
    show_full_result_count = False
    readonly_fields = ["record"]
    exclude = ["data"]
    actions = ["reindex"]

    @admin.display(description="title")
    def title_short(self, work: Work) -> str:
        return work.title[:90]

    @admin.display(description="stored record")
    def record(self, work: Work) -> str:
        return _pretty_json(work.data)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        doi = term.lower().removeprefix("https://doi.org/").removeprefix("doi:")
        if doi.startswith("10."):
            if doi.endswith("/") or "/" not in doi:
                return queryset.filter(doi__startswith=doi), False
            return queryset.filter(doi=doi), False
        matching = works_matching(Work.objects.all(), term, field="title")
        return queryset.filter(pk__in=works_ids_sql(matching)), False

    @admin.action(description="Rebuild the search text of the selected works")
    def reindex(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        index_works(ids)
        self.message_user(request, f"Reindexed {len(ids)} works.", messages.SUCCESS)


class TitleIdentifierInline(admin.TabularInline):
    model = TitleIdentifier
    extra = 0
    can_delete = False
    readonly_fields = ["scheme", "value", "type"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Title)
class TitleAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "publisher", "organisation", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["title", "identifiers__value", "doi"]
    list_select_related = ["organisation"]
    inlines = [TitleIdentifierInline]
    readonly_fields = ["titles_as_deposited"]
    exclude = ["data"]

    @admin.display(description="as deposited")
    def titles_as_deposited(self, title: Title) -> str:
        return _pretty_json(title.data)


@admin.register(Funder)
class FunderAdmin(ImportExportModelAdmin):
    resource_classes = [FunderResource]
    list_display = ["funder_id", "name", "ror", "country", "parent"]
    list_filter = ["country"]
    search_fields = ["funder_id", "name", "ror"]
    search_help_text = "Registry id, name or ROR id."
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(ExternalUpdate)
class ExternalUpdateAdmin(admin.ModelAdmin):
    list_display = ["record_id", "source", "type", "target", "notice_doi", "date", "updated_at"]
    list_filter = ["source", "type"]
    search_fields = ["=record_id", "=target", "=notice_doi"]
    search_help_text = "Record ID, or the DOI of the original or of the notice (exact, lower case)."
    readonly_fields = ["entry"]
    exclude = ["data"]

    @admin.display(description="entry as imported")
    def entry(self, update: ExternalUpdate) -> str:
        return _pretty_json(update.data)


@admin.register(DoiErrorReport)
class DoiErrorReportAdmin(admin.ModelAdmin):
    list_display = ["doi", "organisation", "email", "created_at", "resolved"]
    list_filter = ["resolved", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=doi", "email"]
    raw_id_fields = ["organisation"]
    date_hierarchy = "created_at"
    actions = ["mark_resolved"]

    @admin.action(description="Mark the selected reports resolved")
    def mark_resolved(self, request, queryset):
        done = queryset.filter(resolved=False).update(resolved=True)
        self.message_user(request, f"{done} reports marked resolved.", messages.SUCCESS)


@admin.register(WorkConflict)
class WorkConflictAdmin(admin.ModelAdmin):
    list_display = ["work", "other", "status", "submission_id", "created_at", "resolved_at"]
    list_filter = ["status"]
    search_fields = ["=work__doi", "=other__doi"]
    raw_id_fields = ["work", "other"]
    readonly_fields = ["work", "other", "status", "submission_id", "created_at", "resolved_at"]
    actions = ["resolve_primary", "resolve_alias", "resolve_accepted"]

    def has_add_permission(self, request):
        return False

    def _resolve(self, request, queryset, status: str) -> None:
        with transaction.atomic():
            for conflict in queryset:
                conflict_resolve(conflict=conflict, status=status, user=request.user)
        self.message_user(request, f"{queryset.count()} conflicts resolved.", messages.SUCCESS)

    @admin.action(description="Resolve: the first DOI is primary")
    def resolve_primary(self, request, queryset):
        self._resolve(request, queryset, ConflictStatus.PRIMARY)

    @admin.action(description="Resolve: the first DOI is an alias of the other")
    def resolve_alias(self, request, queryset):
        self._resolve(request, queryset, ConflictStatus.ALIAS)

    @admin.action(description="Accept: both DOIs are distinct works")
    def resolve_accepted(self, request, queryset):
        self._resolve(request, queryset, ConflictStatus.ACCEPTED)


@admin.register(ResolutionCount)
class ResolutionCountAdmin(ReadOnlyAdmin):
    list_display = ["doi", "month", "count"]
    search_fields = ["=doi"]
    date_hierarchy = "month"
    show_full_result_count = False


@admin.register(SimpleTextQueryJob)
class SimpleTextQueryJobAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "status", "progress", "user", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["=public_id"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]
    exclude = ["references", "results"]
