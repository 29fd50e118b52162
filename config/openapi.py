"""The API's error contract, in the OpenAPI schema and in the responses.

Every error body is JSON and names what was wrong:
- ``{"detail": "..."}`` for not signed in (403; also a missing CSRF token, or a second factor not yet given:
  session cookies carry no challenge, so never 401), not found (404: also for anything the caller may not know
  exists, the answer to "not allowed" on an object, and any unknown /api/ address), method not allowed (405),
  conflicts (409, with ``version``), a body too large (413) or not JSON (415);
- ``{"<field>": ["message", ...], ...}`` for input that does not match this schema (400) and for input that does
  but breaks a rule of the service (422: an id that does not exist for the caller, a slot outside the meeting, a
  decline without a note): one key per field, ``non_field_errors`` (or ``detail``) for what belongs to no single
  field. So a schema-valid request never gets a 400 (tests/security/test_api_contract.py).

Every response carries ``Cache-Control: no-store`` (panels.http_limits.NoStoreMiddleware), declared here too.
The API has no rate limit of its own (429 is the sign-in page's, not the API's).

``add_error_responses`` (a drf-spectacular post-processing hook) documents these on every operation, and states
in the schema the limits the parsing enforces (ids, page numbers, text without NUL and not only white space,
request bodies with no other fields);
``api_not_found`` / ``api_server_error`` answer in JSON under /api/ instead of the HTML pages.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.defaults import page_not_found, server_error

from panels.parsing import MAX_ID

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
NO_STORE = {"Cache-Control": {"description": "Never stored by a browser or proxy: the answers carry children's data.",
                              "required": True, "schema": {"type": "string", "enum": ["no-store"]}}}
# What StrictCharField accepts (agendas.api): no NUL; a required text holds something other than white space.
TEXT_PATTERN = r"^[^\x00]*$"
REQUIRED_TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _response(description: str, ref: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _bound_parameters(operation: dict) -> None:
    """Ids in the path are whole numbers from 1 (BigAutoField: up to 2**63 - 1); page numbers start at 1."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if schema.get("type") != "integer":
            continue
        if parameter.get("in") == "path":
            schema.setdefault("minimum", 1)
            schema.setdefault("maximum", MAX_ID)
        elif parameter.get("name") == "page":
            schema.setdefault("minimum", 1)


def _strict_request_bodies(schemas: dict) -> None:
    """Request bodies (``...Request`` components): no other fields (agendas.api.StrictInput refuses them), text
    as StrictCharField takes it."""
    for name, component in schemas.items():
        if not name.endswith("Request") or component.get("type") != "object":
            continue
        component["additionalProperties"] = False
        for prop in component.get("properties", {}).values():
            if prop.get("type") == "string" and not ({"format", "enum", "pattern"} & set(prop)):
                prop["pattern"] = REQUIRED_TEXT_PATTERN if prop.get("minLength", 0) >= 1 else TEXT_PATTERN


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    _strict_request_bodies(schemas)
    error, invalid = "#/components/schemas/Error", "#/components/schemas/ValidationError"
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            _bound_parameters(operation)
            responses = operation.setdefault("responses", {})
            params = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            responses.setdefault("403", _response(
                "Not signed in, the request's CSRF token is missing, or a second factor is due.", error))
            if "{" in path or "page" in params:
                responses.setdefault("404", _response(
                    "No such object for this user, or not theirs to see or change (also: a page number past the "
                    "end).", error))
            # every operation: a query parameter it does not take is a 400 too (KnownQueryParameters)
            responses.setdefault("400", _response("Does not match this schema: the body names each parameter or "
                                                  "field at fault.", invalid))
            if method in BODY_METHODS:
                responses.setdefault("413", _response("The body is larger than the API takes (256 KB).", error))
                responses.setdefault("415", _response("The body is not JSON.", error))
                responses.setdefault("422", _response(
                    "Matches this schema but breaks a rule of the service: the body names each field at fault.",
                    invalid))
            for response in responses.values():
                response.setdefault("headers", {}).update(NO_STORE)
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
