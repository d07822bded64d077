"""The production URLs plus `/bench-bare/<doi>`: a view that answers the same 302 as the
resolver without looking anything up, the ceiling the resolver is measured against."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import re_path
from django.utils.cache import patch_vary_headers

from portal.urls import urlpatterns as production

TARGET = "https://publisher.bench.example/journal-article/1"


def bare(request: HttpRequest, doi: str) -> HttpResponse:
    response = HttpResponseRedirect(TARGET)
    patch_vary_headers(response, ["Accept"])
    return response


urlpatterns = [re_path(r"^bench-bare/(?P<doi>10\..*)$", bare), *production]
