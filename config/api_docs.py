"""The API's documentation as an ordinary Convene page, read from the same OpenAPI schema as /api/schema/.

It replaced Swagger UI at /api/docs/ (issue 15): Swagger UI's page has no language, nests buttons in links,
and fails WCAG colour contrast and target size, so the page linked from every footer was the one page that
failed axe-core. This one is server-rendered in the GOV.UK style, like the rest of the service."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.shortcuts import render
from django.views.decorators.http import require_GET

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items')) or 'items'}"
    return schema.get("type", "object")


def _body(content: dict[str, Any] | None) -> str:
    for media in (content or {}).values():
        return _schema_name(media.get("schema"))
    return ""


@lru_cache(maxsize=1)
def api_reference() -> dict[str, Any]:
    """The schema turned into what the page shows: operations grouped by tag, and each schema's fields."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            groups.setdefault((operation.get("tags") or ["other"])[0], []).append({
                "id": operation.get("operationId", f"{method}-{path}"), "method": method.upper(), "path": path,
                "summary": operation.get("summary", ""), "description": operation.get("description", ""),
                "parameters": [{"name": p["name"], "where": p.get("in", ""), "required": p.get("required", False),
                                "type": _schema_name(p.get("schema")), "description": p.get("description", "")}
                               for p in operation.get("parameters", [])],
                "body": _body(operation.get("requestBody", {}).get("content")),
                "responses": [{"code": code, "description": r.get("description", ""), "body": _body(r.get("content"))}
                              for code, r in sorted(operation.get("responses", {}).items())],
            })
    schemas = []
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(component.get("required", []))
        schemas.append({"name": name, "description": component.get("description", ""),
                        "enum": component.get("enum", []),
                        "fields": [{"name": field, "type": _schema_name(spec) or ("one of several" if "allOf" in spec
                                                                                   or "oneOf" in spec else ""),
                                    "required": field in required, "read_only": spec.get("readOnly", False),
                                    "description": spec.get("description", "")}
                                   for field, spec in component.get("properties", {}).items()]})
    return {"info": schema.get("info", {}), "groups": sorted(groups.items()), "schemas": schemas,
            "schema_names": {s["name"] for s in schemas}}


@require_GET
def api_docs(request):
    return render(request, "api_docs.html", {"api": api_reference()})
