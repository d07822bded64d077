"""The production URLs plus `/bench-bare-json/<doi>`: a plain Django view answering a small
JSON envelope without touching the database, the ceiling /api/works/{doi} is measured against."""

from django.http import HttpRequest, JsonResponse
from django.urls import re_path

from portal.urls import urlpatterns as production


def bare(request: HttpRequest, doi: str) -> JsonResponse:
    return JsonResponse(
        {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": {"DOI": doi}}
    )


urlpatterns = [re_path(r"^bench-bare-json/(?P<doi>10\..*)$", bare), *production]
