"""The API's error contract, in the OpenAPI schema and in the responses.

Every error body is JSON and names what was wrong:
- ``{"detail": "..."}`` for not signed in (403), not found (404: also for anything the caller may not know
  exists, and for any unknown /api/ address), method not allowed (405), conflicts (409, with ``version``);
- ``{"<field>": ["message", ...], ...}`` for bad input (400): one key per field, ``non_field_errors`` (or
  ``detail``) for what belongs to no single field.

``add_error_responses`` (a drf-spectacular post-processing hook) documents these on every operation;
``api_not_found`` / ``api_server_error`` answer in JSON under /api/ instead of the HTML pages.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.defaults import page_not_found, server_error

ERROR = {
    "type": "object",
    "description": "What went wrong, in one sentence.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Bad input: each key names a field and lists what is wrong with it (``non_field_errors`` or "
                   "``detail``: the request as a whole, e.g. a body that is not JSON).",
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "minProperties": 1,
}
BODY_METHODS = {"post", "put", "patch"}


def _response(description: str, ref: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    error, invalid = "#/components/schemas/Error", "#/components/schemas/ValidationError"
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            params = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            responses.setdefault("403", _response("Not signed in, or the request's CSRF token is missing.", error))
            if "{" in path or "page" in params:
                responses.setdefault("404", _response(
                    "No such object for this user (also: a page number past the end).", error))
            if method in BODY_METHODS or params - {"page"}:
                responses.setdefault("400", _response("Bad input: the body names each field at fault.", invalid))
    return result


def api_not_found(request, exception=None):
    """handler404: JSON under /api/, the normal page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def api_server_error(request):
    """handler500: JSON under /api/ (the error is logged as usual), the normal page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Something went wrong on our side; it has been logged."}, status=500)
    return server_error(request)
