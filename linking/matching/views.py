"""The match API (`/match`). The Simple Text Query pages are in stq_views.py."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from linking.matching.matcher import Match, reference_match

# deposits/stq.py imports the Simple Text Query limits and splitting from here.
from linking.matching.stq import MAX_INPUT_CHARS

MAX_BATCH = 100
MAX_BODY_BYTES = 2 * 1024 * 1024
TASKS = ("reference",)


def _error(
    message: str, *, kind: str = "parameter-invalid", value: object = "", status: int = 400
) -> JsonResponse:
    return JsonResponse(
        {
            "status": "error",
            "message-type": "validation-failure",
            "message": [{"type": kind, "value": value, "message": message}],
        },
        status=status,
    )


def _items(match: Match | None) -> list[dict]:
    if match is None:
        return []
    return [
        {
            "id": f"https://doi.org/{match.doi}",
            "DOI": match.doi,
            "confidence": round(match.confidence, 4),
            "strategies": [match.method],
        }
    ]


class BadInput(ValueError):
    pass


def _checked(value: object, position: str) -> str | dict:
    if isinstance(value, str):
        if not value.strip():
            raise BadInput(f"{position}: the reference is empty.")
        if len(value) > MAX_INPUT_CHARS:
            raise BadInput(f"{position}: a reference may be at most {MAX_INPUT_CHARS} characters.")
        return value
    if isinstance(value, dict):
        bad = [k for k, v in value.items() if not isinstance(v, str | int | float)]
        if bad:
            raise BadInput(f"{position}: field {bad[0]!r} must be a string or a number.")
        if not value:
            raise BadInput(f"{position}: the structured reference has no fields.")
        if sum(len(str(v)) for v in value.values()) > MAX_INPUT_CHARS:
            raise BadInput(f"{position}: a reference may be at most {MAX_INPUT_CHARS} characters.")
        return value
    raise BadInput(f"{position}: a reference is a string or a JSON object of fields.")


def _single(value: str | dict) -> dict:
    return {
        "status": "ok",
        "message-type": "match-list",
        "message": {"items": _items(reference_match(value))},
    }


@csrf_exempt  # a public JSON API without cookies or sessions
@require_http_methods(["GET", "POST"])
def match(request: HttpRequest) -> JsonResponse:
    """GET ?task=reference&input=<string or JSON object>; POST a JSON body: one input (a
    string, or an object of fields), {"task", "input"}, or {"task", "inputs": [...]} /
    a JSON list for up to MAX_BATCH references in one call."""
    if request.method == "GET":
        task = request.GET.get("task", "reference")
        raw = request.GET.get("input")
        if task not in TASKS:
            return _error(f"Unknown task {task!r}; this service matches: {', '.join(TASKS)}.", value=task)
        if raw is None:
            return _error("Give the reference to match in the 'input' parameter.", kind="parameter-missing")
        value: object = raw
        if raw.lstrip().startswith("{"):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                return _error(f"input looks like JSON but does not parse: {exc.msg}.", value=raw[:200])
        try:
            return JsonResponse(_single(_checked(value, "input")))
        except BadInput as exc:
            return _error(str(exc))
    if len(request.body) > MAX_BODY_BYTES:
        return _error(f"The body may be at most {MAX_BODY_BYTES // 1024} KB.", status=413)
    try:
        body = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _error(f"The body must be JSON: {getattr(exc, 'msg', exc)}.", kind="body-invalid")
    task = request.GET.get("task", "reference")
    inputs = None
    if isinstance(body, dict) and ("input" in body or "inputs" in body or "task" in body):
        task = body.get("task", task)
        if "inputs" in body:
            inputs = body["inputs"]
        elif "input" in body:
            body = body["input"]
        else:
            return _error("Give the reference in 'input', or a list in 'inputs'.", kind="parameter-missing")
    elif isinstance(body, list):
        inputs = body
    if task not in TASKS:
        return _error(f"Unknown task {task!r}; this service matches: {', '.join(TASKS)}.", value=task)
    try:
        if inputs is None:
            return JsonResponse(_single(_checked(body, "input")))
        if not isinstance(inputs, list) or not inputs:
            raise BadInput("'inputs' must be a non-empty list of references.")
        if len(inputs) > MAX_BATCH:
            raise BadInput(f"At most {MAX_BATCH} references per call; this one has {len(inputs)}.")
        checked = [_checked(v, f"inputs[{i}]") for i, v in enumerate(inputs)]
    except BadInput as exc:
        return _error(str(exc))
    results = [{"input": v, "items": _items(reference_match(v))} for v in checked]
    return JsonResponse({"status": "ok", "message-type": "match-list-batch", "message": {"results": results}})
