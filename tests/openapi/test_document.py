"""The OpenAPI document as an integrator reads it: short unique operation ids, a description
on every operation, examples on the contract's bodies, downloads as bytes, every error as
problem+json (with Retry-After where it is sent), and the credentials each call accepts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from app.access.auth import BatchCaller, CurrentPrincipal, LookupCaller, ProvinceAdmin
from app.core.db import SessionDep
from app.core.openapi_doc import PARTNER_KEY, SESSION_TOKEN, install_openapi, operation_id
from app.main import create_app

APP = create_app()
DOCUMENT = APP.openapi()
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]
# The operations the contract names (CONTRACT.md), downloads aside.
CONTRACT = {
    "priority_lookup",
    "priority_lookups",
    "health_get",
    "readiness_get",
    "token_issue",
    "talent_status",
    "calendar_get",
    "submission_create",
    "submission_get",
    "submission_report",
    "submission_submit",
    "submission_approve",
    "submission_reject",
    "roster_list",
    "marker_verify",
}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _has_example(media: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = _resolve(media.get("schema", {}))
    if "examples" in schema:
        return True
    # A multipart upload: the file is bytes, every other part has an example.
    parts = schema.get("properties", {}).values()
    return bool(parts) and all("examples" in p or p.get("format") == "binary" for p in parts)


def test_operation_ids_are_the_route_functions_names_short_and_unique() -> None:
    routes = [c for c in iter_route_contexts(APP.routes) if isinstance(c.original_route, APIRoute)]
    names = {c.endpoint.__name__ for c in routes if c.include_in_schema}
    ids = [operation["operationId"] for _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert set(ids) == names
    too_long = [i for i in ids if not re.fullmatch(r"[a-z]+(_[a-z]+)*", i) or len(i) > 30]
    assert not too_long


def test_every_operation_says_what_it_does_who_may_call_it_and_what_it_records() -> None:
    undescribed = [label for label, op in OPERATIONS if len(op.get("description", "")) < 40]
    assert not undescribed


def test_the_contracts_requests_and_answers_carry_examples() -> None:
    by_id = {op["operationId"]: op for _, op in OPERATIONS}
    missing = []
    for name in sorted(CONTRACT):
        operation = by_id[name]
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if not _has_example(media):
                missing.append(f"{name} request {media_type}")
        for status, answer in operation["responses"].items():
            json = answer.get("content", {}).get("application/json")
            if status.startswith("2") and json is not None and not _has_example(json):
                missing.append(f"{name} {status}")
    assert not missing
    assert _resolve({"$ref": "#/components/schemas/Problem"})["examples"]


def test_schema_names_are_the_models_names() -> None:
    leaked = [n for n in DOCUMENT["components"]["schemas"] if "__" in n or n.startswith("Body_")]
    assert not leaked


def test_downloads_are_declared_as_bytes_of_their_media_type() -> None:
    by_id = {op["operationId"]: op for _, op in OPERATIONS}
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    expected = {
        "marker_qr": "image/png",
        "roster_export": "text/csv",
        "submission_template_csv": "text/csv",
        "submission_report_csv": "text/csv",
        "submission_template_xlsx": xlsx,
        "statistics_report": xlsx,
        "task_export": xlsx,
    }
    for name, media_type in expected.items():
        content = by_id[name]["responses"]["200"]["content"]
        assert list(content) == [media_type], name
        assert content[media_type]["schema"] == {"type": "string", "format": "binary"}


def test_every_error_is_problem_json_and_429_and_503_say_when_to_retry() -> None:
    for label, operation in OPERATIONS:
        for status, answer in operation["responses"].items():
            if status == "default" or status[0] in "45":
                assert list(answer["content"]) == ["application/problem+json"], (label, status)
            if status in ("429", "503"):
                assert answer["headers"]["Retry-After"]["required"] is True, (label, status)
    statuses = {s for _, op in OPERATIONS for s in op["responses"]}
    assert {"401", "403", "404", "409", "412", "413", "422", "428", "429", "503"} <= statuses


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("priority_lookup", [SESSION_TOKEN, PARTNER_KEY]),
        ("priority_lookups", [PARTNER_KEY]),
        ("me_get", [SESSION_TOKEN, PARTNER_KEY]),
        ("token_revoke", [SESSION_TOKEN]),
        ("talent_get", [SESSION_TOKEN]),
        ("submission_approve", [SESSION_TOKEN]),
        ("roster_list", []),
        ("token_issue", []),
    ],
)
def test_each_operation_names_the_credentials_it_accepts(name: str, accepted: list[str]) -> None:
    assert set(DOCUMENT["components"]["securitySchemes"]) == {SESSION_TOKEN, PARTNER_KEY}
    (operation,) = [op for _, op in OPERATIONS if op["operationId"] == name]
    assert [next(iter(s)) for s in operation.get("security", [])] == accepted
    if accepted:
        assert {"401", "429"} <= set(operation["responses"])


def test_servers_are_declared() -> None:
    assert DOCUMENT["servers"] == [
        {"url": "/", "description": DOCUMENT["servers"][0]["description"]}
    ]


def test_a_new_route_is_named_described_and_declared_by_what_it_depends_on() -> None:
    """The mechanism other domains rely on: nothing to declare but the function itself."""
    router = APIRouter(prefix="/api/v1/things")

    @router.post("/{thing_id}/polish")
    def thing_polish(thing_id: int, admin: ProvinceAdmin, session: SessionDep) -> None:
        """Polishes a thing. Province admins only; the polish is audited."""

    @router.post("/lookups")
    def thing_lookups(caller: BatchCaller) -> None:
        """Looks things up in bulk. Partner systems only; records nothing."""

    @router.get("/ping")
    def thing_ping() -> None:
        """Answers while the things run. Anyone may call it; records nothing."""

    @router.get("/mine")
    def thing_mine(caller: CurrentPrincipal, also: LookupCaller) -> None:
        """The caller's things. Window clerks and partners; records nothing."""

    app = FastAPI(generate_unique_id_function=operation_id)
    app.include_router(router)
    install_openapi(app)
    paths = app.openapi()["paths"]

    polish = paths["/api/v1/things/{thing_id}/polish"]["post"]
    assert polish["operationId"] == "thing_polish"
    assert polish["description"].startswith("Polishes a thing. Province admins only;")
    assert polish["security"] == [{SESSION_TOKEN: []}]
    assert {"401", "403", "404", "422", "429", "503"} <= set(polish["responses"])
    assert paths["/api/v1/things/lookups"]["post"]["security"] == [{PARTNER_KEY: []}]
    assert not {"401", "403", "503"} & set(paths["/api/v1/things/ping"]["get"]["responses"])
    assert paths["/api/v1/things/mine"]["get"]["security"] == [
        {SESSION_TOKEN: []},
        {PARTNER_KEY: []},
    ]
