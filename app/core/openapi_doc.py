"""The OpenAPI document: what an integrator generates a client from.

Each operation is named by its route function (`operation_id`) and described by its
docstring (FastAPI's own rule). What a route can refuse is declared where it is decided:
the dependencies mark the errors and credentials they bring (`answers`, `accepts`: the
gates, the rate limits, the database), the route adds its own (`responses=errors(409)`),
and `declare_problems` writes them all as application/problem+json (RFC 9457).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

PROBLEM_JSON = "application/problem+json"
SESSION_TOKEN = "SessionToken"  # noqa: S105 - a scheme name, not a secret
PARTNER_KEY = "PartnerApiKey"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    SESSION_TOKEN: {
        "type": "http",
        "scheme": "bearer",
        "description": "A person's session token: `POST /api/v1/auth/token` with username and "
        "password (OAuth2 password flow) answers `access_token`; send it as "
        "`Authorization: Bearer <access_token>` until `expires_in` seconds have passed or "
        "`POST /api/v1/auth/logout` ends it.",
    },
    PARTNER_KEY: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "bk_…",
        "description": "A partner system's API key (`bk_…`), issued by a province admin and "
        "shown once; send it as `Authorization: Bearer <key>`. Its scopes name the services "
        "it may look up (`priority:housing` ...).",
    },
}

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
                "title": "ProblemFieldError",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "examples": [
        {
            "type": "urn:bluecard:problem:invalid_id_number",
            "title": "Invalid input",
            "status": 422,
            "detail": "身份证号码校验位不正确。",
            "code": "invalid_id_number",
            "errors": [
                {
                    "field": "id_number",
                    "code": "invalid_id_number",
                    "message": "身份证号码校验位不正确。",
                }
            ],
        }
    ],
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer"},
    }
}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}
_ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    401: ("Missing, unknown, expired or revoked credentials", _WWW_AUTHENTICATE),
    403: ("Known caller, not allowed (role, scope or city)", {}),
    404: ("Not found, or on the other side of the wall between cities", {}),
    409: ("The record's state does not allow this; `code` says why", {}),
    412: ("`If-Match` is not the record's current version", {}),
    413: ("The request body is larger than this route allows", {}),
    422: ("Invalid input; `errors` names each offending field", {}),
    428: ("`If-Match` is required", {}),
    429: ("Too many requests; wait `Retry-After` seconds", _RETRY_AFTER),
    503: ("Temporarily unavailable (the database); wait `Retry-After` seconds", _RETRY_AFTER),
}
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_BINARY = {"type": "string", "format": "binary"}

_ANSWERS = "__openapi_answers__"
_ACCEPTS = "__openapi_accepts__"
Dependency = TypeVar("Dependency", bound=Callable[..., Any])


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route gives beyond those its dependencies bring, for `responses=`."""
    return {status: _problem_answer(status) for status in statuses}


def binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """A download (PNG, XLSX, CSV) as its media type and bytes, for `responses=`."""
    return {200: {"description": description, "content": {media_type: {"schema": _BINARY}}}}


def answers(*statuses: int) -> Callable[[Dependency], Dependency]:
    """Mark a dependency: every route that depends on it can answer these errors."""

    def mark(dependency: Dependency) -> Dependency:
        setattr(dependency, _ANSWERS, (*getattr(dependency, _ANSWERS, ()), *statuses))
        return dependency

    return mark


def accepts(*schemes: str) -> Callable[[Dependency], Dependency]:
    """Mark a dependency: the credentials (security schemes) a route depending on it accepts.
    Several marks on one route narrow each other (a gate narrows the principal's)."""

    def mark(dependency: Dependency) -> Dependency:
        setattr(dependency, _ACCEPTS, schemes)
        return dependency

    return mark


def operation_id(route: APIRoute) -> str:
    """The route function's name: short, and stable while the function keeps its name."""
    return route.name


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                servers=[{"url": "/", "description": "This service, wherever it is deployed"}],
            )
            app.openapi_schema = declare_problems(document, app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def declare_problems(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, method, dependant in _operations(app):
        operation = document["paths"][path][method]
        statuses, schemes = _marks(dependant)
        if operation.get("parameters") or "requestBody" in operation:
            statuses.add(422)
        if "requestBody" in operation:
            statuses.add(413)
        if "{" in path:
            statuses.add(404)
        responses = operation.setdefault("responses", {})
        for status in sorted(statuses):
            responses.setdefault(str(status), {"description": _ERRORS[status][0]})
        responses.setdefault("default", {"description": "An unexpected error"})
        for status, answer in responses.items():
            if status == "default" or status[0] in "45":
                answer["content"] = _PROBLEM_CONTENT
                headers = _ERRORS.get(int(status), ("", {}))[1] if status.isdigit() else {}
                if headers:
                    answer["headers"] = headers | answer.get("headers", {})
        operation.pop("security", None)
        if schemes:
            operation["security"] = [
                {scheme: []} for scheme in SECURITY_SCHEMES if scheme in schemes
            ]
    return document


def _problem_answer(status: int) -> dict[str, Any]:
    description, headers = _ERRORS[status]
    answer: dict[str, Any] = {"description": description, "content": _PROBLEM_CONTENT}
    return answer | ({"headers": headers} if headers else {})


def _operations(app: FastAPI) -> Iterator[tuple[str, str, Dependant]]:
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            for method in route.methods or ():
                yield route.path_format or "", method.lower(), route.dependant


def _marks(dependant: Dependant) -> tuple[set[int], set[str]]:
    """The errors and the credentials a route's dependencies mark, all the way down."""
    statuses: set[int] = set()
    schemes: set[str] | None = None
    pending = [dependant]
    while pending:
        current = pending.pop()
        statuses.update(getattr(current.call, _ANSWERS, ()))
        accepted = getattr(current.call, _ACCEPTS, None)
        if accepted is not None:
            schemes = set(accepted) if schemes is None else schemes & set(accepted)
        pending.extend(current.dependencies)
    return statuses, schemes or set()
