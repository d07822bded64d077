"""Routes of the REST API beyond works: members, prefixes, journals, funders, types and
licenses (and their `/works` sub-routes)."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema

from accounts.models import Organisation, OrganisationStatus, Prefix
from linking.api import jsonsql
from linking.api.base import ApiView, NotFound, ok
from linking.api.filters import FUNDER_PREFIX, funders_filtered, members_filtered
from linking.api.params import OTHER_OFFSET_MAX, check_singleton, parse
from linking.api.render_entities import (
    funder_descendants,
    funder_item,
    funder_message,
    journal_message,
    member_message,
    prefix_message,
    type_message,
)
from linking.api.selectors import current_from, works_base
from linking.api.types import TYPE_IDS
from linking.api.views import (
    DOI_IN_PATH,
    LIST_PARAMETERS,
    SINGLETON_PARAMETERS,
    WORKS_PARAMETERS,
    _names_matching,
    _paged,
    _works_list,
)
from linking.api.works import searched
from linking.funders import funder_work_ids
from linking.models import Funder, Title, TitleIdentifier, Work, WorkFunder


def _members() -> QuerySet[Organisation]:
    return Organisation.objects.exclude(status=OrganisationStatus.APPLICANT)


def _member_or_404(member_id: str) -> Organisation:
    if not member_id.isdigit():
        raise NotFound()
    member = _members().filter(member_id=int(member_id)).first()
    if member is None:
        raise NotFound()
    return member


class MembersView(ApiView):
    @extend_schema(parameters=LIST_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Members")
    def get(self, request):
        params = parse(request.GET, works=False, offset_max=OTHER_OFFSET_MAX)
        members = members_filtered(_members(), params.filters, current_from())
        if params.query:
            members = _names_matching(members, params.query, "name")
        return _paged(request, params, members, member_message, message_type="member-list")


class MemberView(ApiView):
    @extend_schema(
        parameters=SINGLETON_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="One member"
    )
    def get(self, request, member_id: str):
        check_singleton(request.GET)
        return ok("member", member_message(_member_or_404(member_id)))


class MemberWorksView(ApiView):
    @extend_schema(
        parameters=WORKS_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Works of a member"
    )
    def get(self, request, member_id: str):
        member = _member_or_404(member_id)
        return _works_list(request, works_base().filter(organisation=member))


def _prefix_or_404(value: str) -> Prefix:
    prefix = Prefix.objects.select_related("organisation").filter(value=value.strip()).first()
    if prefix is None:
        raise NotFound()
    return prefix


class PrefixView(ApiView):
    @extend_schema(
        parameters=SINGLETON_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="One prefix"
    )
    def get(self, request, prefix: str):
        check_singleton(request.GET)
        return ok("prefix", prefix_message(_prefix_or_404(prefix)))


class PrefixWorksView(ApiView):
    @extend_schema(
        parameters=WORKS_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Works under a prefix"
    )
    def get(self, request, prefix: str):
        found = _prefix_or_404(prefix)
        return _works_list(request, works_base().filter(prefix=found))


def _journals() -> QuerySet[Title]:
    return Title.objects.filter(kind="journal").select_related("organisation").prefetch_related("identifiers")


def _journal_or_404(issn: str) -> Title:
    value = issn.strip().replace("-", "").upper()
    found = TitleIdentifier.objects.filter(scheme="issn", value=value).select_related("title").first()
    if found is None:
        raise NotFound()
    return _journals().get(pk=found.title_id) if found.title.kind == "journal" else found.title


class JournalsView(ApiView):
    @extend_schema(parameters=LIST_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Journals")
    def get(self, request):
        params = parse(request.GET, works=False, offset_max=OTHER_OFFSET_MAX, route_filters=False)
        journals = _journals()
        if params.query:
            journals = _names_matching(journals, params.query, "title")
        return _paged(request, params, journals, journal_message, message_type="journal-list")


class JournalView(ApiView):
    @extend_schema(
        parameters=SINGLETON_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="One journal"
    )
    def get(self, request, issn: str):
        check_singleton(request.GET)
        return ok("journal", journal_message(_journal_or_404(issn)))


class JournalWorksView(ApiView):
    @extend_schema(
        parameters=WORKS_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Works in a journal"
    )
    def get(self, request, issn: str):
        return _works_list(request, works_base().filter(container=_journal_or_404(issn)))


def funder_or_404(raw: str) -> Funder:
    value = DOI_IN_PATH.sub("", raw.strip()).strip("/")
    if value.lower().startswith(FUNDER_PREFIX):
        value = value[len(FUNDER_PREFIX) :]
    if "ror.org/" in value or re.fullmatch(r"0[a-z0-9]{6}\d{2}", value):
        found = Funder.objects.filter(ror="https://ror.org/" + value.rsplit("/", 1)[-1]).first()
    else:
        found = Funder.objects.filter(funder_id=value).first()
    if found is None:
        raise NotFound()
    return found


class FundersView(ApiView):
    @extend_schema(parameters=LIST_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Funders")
    def get(self, request):
        params = parse(request.GET, works=False, offset_max=OTHER_OFFSET_MAX)
        funders = funders_filtered(Funder.objects.all(), params.filters)
        if params.query:
            funders = _names_matching(funders, params.query, "name")
        return _paged(request, params, funders, funder_item, message_type="funder-list")


class FunderView(ApiView):
    @extend_schema(
        parameters=SINGLETON_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="One funder"
    )
    def get(self, request, funder: str):
        check_singleton(request.GET)
        return ok("funder", funder_message(funder_or_404(funder)))


class FunderWorksView(ApiView):
    @extend_schema(
        parameters=WORKS_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Works a funder funded"
    )
    def get(self, request, funder: str):
        found = funder_or_404(funder)
        ids = [*funder_work_ids(found), *(d.doi.lower() for d in funder_descendants(found))]
        funded = WorkFunder.objects.filter(funder_id__in=ids).values("work_id")
        return _works_list(request, works_base().filter(pk__in=funded))


class TypesView(ApiView):
    @extend_schema(
        parameters=LIST_PARAMETERS[:1] + LIST_PARAMETERS[2:4],
        responses={200: OpenApiTypes.OBJECT},
        summary="Types",
    )
    def get(self, request):
        params = parse(request.GET, works=False, offset_max=OTHER_OFFSET_MAX, route_filters=False)
        items = [type_message(t) for t in TYPE_IDS]
        return ok(
            "type-list",
            {
                "total-results": len(items),
                "items": items[params.offset : params.offset + params.rows]
                if "rows" in request.GET or "offset" in request.GET
                else items,
            },
        )


class TypeView(ApiView):
    @extend_schema(parameters=SINGLETON_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="One type")
    def get(self, request, type_id: str):
        check_singleton(request.GET)
        if type_id not in TYPE_IDS:
            raise NotFound()
        return ok("type", type_message(type_id))


class TypeWorksView(ApiView):
    @extend_schema(
        parameters=WORKS_PARAMETERS, responses={200: OpenApiTypes.OBJECT}, summary="Works of a type"
    )
    def get(self, request, type_id: str):
        if type_id not in TYPE_IDS:
            raise NotFound()
        return _works_list(request, works_base().filter(type=type_id))


class LicensesView(ApiView):
    @extend_schema(
        parameters=LIST_PARAMETERS[:1] + LIST_PARAMETERS[2:4],
        responses={200: OpenApiTypes.OBJECT},
        summary="License URLs in use",
    )
    def get(self, request):
        params = parse(request.GET, works=False, offset_max=OTHER_OFFSET_MAX, route_filters=False)
        works, _ = searched(Work.objects.all(), params)
        ids_sql, ids_params = works.order_by().values("pk").query.sql_with_params()
        sources, value_sql = jsonsql.elements_select([("licenses",)], ("url",))
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT {value_sql}, COUNT(DISTINCT "linking_work"."id") FROM "linking_work", {sources} '
                f'WHERE "linking_work"."id" IN ({ids_sql}) GROUP BY 1 ORDER BY 2 DESC, 1',
                ids_params,
            )
            rows = [(url, int(n)) for url, n in cursor.fetchall() if url]
        page = rows[params.offset : params.offset + params.rows]
        return ok(
            "license-list",
            {"total-results": len(rows), "items": [{"URL": u, "work-count": n} for u, n in page]},
        )
