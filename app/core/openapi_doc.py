"""The OpenAPI document, with the error answers every route can give declared as they are
sent: application/problem+json (RFC 9457), never FastAPI's default validation shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details with a stable machine `code`.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "stable snake_case code, e.g. not_found"},
        "errors": {
            "type": "array",
            "description": "for bad input: one entry per offending field",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_DESCRIPTIONS = {
    "401": "Missing, unknown, expired or revoked credentials",
    "403": "Known caller, not allowed",
    "404": "Not found, or on the other side of the wall between cities",
    "422": "Invalid input",
    "default": "Any other error (409, 412, 413, 428, 429, 503 ...)",
}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = declare_problems(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def declare_problems(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            statuses = ["default"]
            if operation.get("parameters") or "requestBody" in operation:
                statuses.append("422")
            if operation.get("security"):
                statuses += ["401", "403"]
            if "{" in path:
                statuses.append("404")
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(status, {"description": _DESCRIPTIONS[status]})
            for status, answer in responses.items():
                if status == "default" or status[0] in "45":
                    answer["content"] = _PROBLEM_CONTENT
    return document
