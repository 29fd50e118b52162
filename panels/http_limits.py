"""Limits on what a request may carry and what a response may leave behind (issue 14).

- ``BoundedJSONParser``: the API's JSON bodies are at most ``API_MAX_BODY_BYTES`` and nested at most
  ``API_MAX_JSON_DEPTH`` deep; anything else is a 400 (or 413 for size), never a 500 or a long parse.
- ``KnownQueryParameters``: an API request naming a query parameter its operation does not take is a 400.
- ``NoStoreMiddleware``: every response that does not say otherwise is ``Cache-Control: no-store`` (pages, API
  answers, PDF and DOCX downloads carry children's data; static files keep their own caching headers).
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission

API_MAX_JSON_DEPTH = 32


class RequestTooLarge(ParseError):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


def json_depth(value) -> int:
    """How deeply ``value`` nests lists and objects (iterative: no recursion on hostile input)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding)) if raw else None
        except RecursionError:
            raise ParseError(f"JSON nested more than {API_MAX_JSON_DEPTH} deep.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth(data) > API_MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested more than {API_MAX_JSON_DEPTH} deep.")
        return data


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class KnownQueryParameters(BasePermission):
    """Every API request's query string names only parameters its operation takes (the ones in the OpenAPI
    schema): a misspelt filter is a 400 naming it, not a list of everything. Runs as a DRF permission, after
    authentication, so that every API view gets it; it refuses nothing else.

    What an operation takes: ``page`` and its filter set's fields for a paginated list, plus the view's own
    ``query_parameters`` ({action or method: names})."""

    def has_permission(self, request, view) -> bool:
        method = request.method.lower()
        if method == "options" or getattr(view, method, None) is None:
            return True  # a method the view does not take: its 405 (with Allow) comes first
        action = getattr(view, "action", None) or method
        allowed = set(getattr(view, "query_parameters", {}).get(action, ()))
        if action == "list":
            if getattr(view, "pagination_class", None) is not None:
                allowed.add("page")
            filterset = getattr(view, "filterset_class", None)
            allowed.update(filterset.base_filters if filterset else getattr(view, "filterset_fields", None) or ())
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({name: ["Not a parameter of this request."] for name in unknown})
        return True
