"""The OpenAPI schema and a plain HTML page listing the operations (no external assets)."""

from __future__ import annotations

from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView

HTTP_METHODS = ("get", "head", "post", "put", "patch", "delete")


def without_trailing_slashes(result, generator, request, public):
    """Routes take an optional trailing slash (`/funders/` is used too); the schema names
    the canonical form without it."""
    result["paths"] = {(path.rstrip("/") or "/"): item for path, item in (result.get("paths") or {}).items()}
    return result


def api_schema() -> dict:
    schema = SchemaGenerator(urlconf="linking.api.urls").get_schema(request=None, public=True)
    return without_trailing_slashes(schema, None, None, True)


class OpenApiView(SpectacularJSONAPIView):
    """`/api/openapi.json`: only this API's routes, under the prefix it was asked through."""

    def _get_schema_response(self, request):
        self.urlconf = "linking.api.urls"
        self.patterns = None
        return super()._get_schema_response(request)

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        prefix = request.path.rsplit("/openapi.json", 1)[0]
        self.custom_settings = {
            "SCHEMA_PATH_PREFIX": "",
            "SERVERS": [{"url": prefix}],
            "POSTPROCESSING_HOOKS": [
                "drf_spectacular.hooks.postprocess_schema_enums",
                "linking.api.docs.without_trailing_slashes",
            ],
        }
        return super().get(request, *args, **kwargs)


def api_docs(request):
    prefix = request.path.rsplit("/docs/", 1)[0]
    schema = api_schema()
    operations = []
    for path, item in (schema.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation:
                operations.append(
                    {
                        "method": method.upper(),
                        "path": prefix + path,
                        "summary": operation.get("summary", ""),
                        "parameters": [
                            p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
                        ],
                    }
                )
    return render(
        request,
        "api/docs.html",
        {"operations": operations, "schema_url": prefix + "/openapi.json", "info": schema.get("info", {})},
    )
