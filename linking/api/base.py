"""The base view of every API route: no sessions or CSRF (read-only, anonymous), JSON
whatever the Accept header says, CORS and rate-limit headers, and the real API's error
bodies (spec section 5)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from rest_framework.exceptions import APIException, MethodNotAllowed, ParseError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from linking.api.cursors import CursorInvalid
from linking.api.params import ValidationFailure
from linking.api.render import API_VERSION
from linking.api.throttling import request_admit

log = logging.getLogger(__name__)

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": (
        "X-Requested-With, Accept, Accept-Encoding, Accept-Charset, Accept-Language, Accept-Ranges, "
        "Cache-Control"
    ),
    "Access-Control-Expose-Headers": "Link",
}
NOT_FOUND = "Resource not found."


class NotFound(Exception):
    """Answered as the real API does: 404 with the plain text `Resource not found.`"""


class TooManyRequests(Exception):
    pass


class AlwaysJson(BaseContentNegotiation):
    """The API answers JSON whatever the client accepts (clients send all sorts)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def validation_failure(problems: list[dict[str, Any]]) -> JsonResponse:
    return JsonResponse(
        {"status": "failed", "message-type": "validation-failure", "message": problems}, status=400
    )


def not_found() -> HttpResponse:
    return HttpResponse(NOT_FOUND, content_type="text/plain", status=404)


class ApiView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    content_negotiation_class = AlwaysJson
    schema_tags = ["works"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.verdict = request_admit(request)
        if not self.verdict.allowed:
            raise TooManyRequests()

    def handle_exception(self, exc):
        if isinstance(exc, ValidationFailure):
            return validation_failure(exc.problems)
        if isinstance(exc, NotFound | Http404):
            return not_found()
        if isinstance(exc, CursorInvalid):
            return JsonResponse(
                {
                    "status": "failed",
                    "message-type": "resource-failure",
                    "message": [
                        {
                            "type": "cursor-invalid",
                            "value": str(exc),
                            "message": "Cursor specified but it is invalid",
                        }
                    ],
                },
                status=404,
            )
        if isinstance(exc, TooManyRequests):
            return HttpResponse("Too many requests, slow down.", content_type="text/plain", status=429)
        if isinstance(exc, MethodNotAllowed | ParseError | APIException):
            return super().handle_exception(exc)
        log.exception("API request failed: %s", self.request.get_full_path())
        return JsonResponse(
            {
                "status": "error",
                "message-type": "exception",
                "message-version": API_VERSION,
                "message": {
                    "name": type(exc).__name__,
                    "description": "Internal error",
                    "message": "Internal error",
                },
            },
            status=500,
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in CORS.items():
            response[name] = value
        verdict = getattr(self, "verdict", None)
        if verdict is not None:
            for name, value in verdict.headers().items():
                response[name] = value
        return response


def ok(message_type: str, message: Any, **kwargs) -> Response:
    return Response(
        {"status": "ok", "message-type": message_type, "message-version": API_VERSION, "message": message},
        **kwargs,
    )
