"""Arbitrary Unicode in every text field of every route, as enumerated from the app's own
OpenAPI: query and path parameters, JSON members, form fields. Whatever the text (NUL,
control characters, lone surrogates, right-to-left marks, astral planes), no answer is a
5xx, on whichever database the run uses (CI runs it on PostgreSQL too).

Bounded for CI: a few examples per field (`BLUECARD_TEXT_EXAMPLES`, default 3), from a
fixed seed, plus the characters the issue found answered with a 500.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import ASGIApp, Receive, Scope, Send

from app.main import create_app
from tests.databases import throwaway_database
from tests.robustness.fuzzing import World, make_world
from tests.robustness.state import pointed_at

EXAMPLES = int(os.environ.get("BLUECARD_TEXT_EXAMPLES", "3"))
# What the issue found answered with a 500, and the usual suspects.
NASTY = ["ad\x00min", "张\x00三\x1b[31m", "\x00", "\u202eevil", "\U0001f600" * 3, "a\r\nb", ""]
_JSON_ONLY = ["\ud800", "x\udfffy"]  # lone surrogates: sayable in JSON (escaped), not in a URL
_PREFERRED = ("province_admin", "city_operator", "auditor", "window_clerk", "partner", "anonymous")
_NOT_TEXT = {"binary", "uuid", "date", "date-time"}

APP = create_app()
DOCUMENT = APP.openapi()
_SCHEMAS = DOCUMENT["components"]["schemas"]


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_text(schema: dict[str, Any]) -> bool:
    schema = _resolved(schema)
    if schema.get("type") == "string" and schema.get("format") not in _NOT_TEXT:
        return True
    return any(_is_text(option) for option in schema.get("anyOf", []))


def _text_fields() -> Iterator[tuple[str, str, str, str]]:
    """(method, path, where, name) of every text input the OpenAPI declares."""
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path") and _is_text(parameter["schema"]):
                    yield method, path, parameter["in"], parameter["name"]
            for kind, content in operation.get("requestBody", {}).get("content", {}).items():
                for name, schema in _resolved(content["schema"]).get("properties", {}).items():
                    if _is_text(schema):
                        yield method, path, kind, name


FIELDS = sorted(set(_text_fields()))


def _placeholder(schema: dict[str, Any], name: str, world: World) -> Any:
    """A plain value for a member that is not under test."""
    schema = _resolved(schema)
    if "anyOf" in schema:
        schema = _resolved(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    if "enum" in schema:
        return schema["enum"][0]
    kind, form = schema.get("type"), schema.get("format")
    if form == "uuid":
        return (world.known_ids.get(name) or [str(uuid.uuid4())])[0]
    if form == "date":
        return "2026-01-01"
    return {"integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}.get(
        kind or "string", "测试"
    )


class ServingLikeAServer:
    """The 500 answer is what is judged, not the re-raised error (as in test_fuzz)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with contextlib.suppress(Exception):
            await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("text")
    with pytest.MonkeyPatch.context() as env, throwaway_database(tmp) as url, pointed_at(url):
        for name in ("CREDENTIAL", "LOGIN", "PUBLIC"):
            env.setenv(f"BLUECARD_RATE_LIMIT_{name}", "1000000/minute")
        from app.access.ratelimit import reset_limiter
        from app.core.db import get_engine
        from app.core.settings import get_settings
        from app.ops.migrate import upgrade

        get_settings.cache_clear()
        upgrade(get_engine())
        from app.core.keys import get_keyring

        get_keyring()  # stored before any test transaction (SQLite's write lock)
        reset_limiter()
        yield make_world(APP, tmp)
        reset_limiter()


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(ServingLikeAServer(APP), raise_server_exceptions=False) as test_client:
        yield test_client


def _caller_headers(world: World, method: str, path: str) -> dict[str, str]:
    admitted = world.admitted.get(f"{method.upper()} {path}", frozenset(world.callers))
    role = next((r for r in _PREFERRED if r in admitted and r in world.callers), "anonymous")
    return dict(world.callers[role].headers)


@pytest.mark.parametrize(("method", "path", "where", "name"), FIELDS, ids=lambda v: str(v))
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_no_text_in_any_field_is_a_server_error(
    world: World,
    client: TestClient,
    method: str,
    path: str,
    where: str,
    name: str,
    data: st.DataObject,
) -> None:
    in_json = where == "application/json"
    texts = st.sampled_from(NASTY + (_JSON_ONLY if in_json else [])) | st.text(max_size=40)
    text = data.draw(texts, label=name)
    operation = DOCUMENT["paths"][path][method]
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        value = (
            text
            if parameter["name"] == name
            else _placeholder(parameter["schema"], parameter["name"], world)
        )
        url = url.replace("{" + parameter["name"] + "}", quote(str(value), safe="") or "%20")
    request: dict[str, Any] = {"headers": _caller_headers(world, method, path)}
    if where == "query":
        request["params"] = {name: text}
    elif where != "path":
        schema = _resolved(operation["requestBody"]["content"][where]["schema"])
        required = set(schema.get("required", []))
        body = {
            member: _placeholder(member_schema, member, world)
            for member, member_schema in schema.get("properties", {}).items()
            if member in required and member != name
        }
        body[name] = text
        if in_json:
            request["content"] = json.dumps(body).encode()  # lone surrogates escaped
            request["headers"]["Content-Type"] = "application/json"
        elif where == "multipart/form-data":
            files = {"file": ("a.csv", b"\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7\n")}
            request["data"], request["files"] = {k: str(v) for k, v in body.items()}, files
        else:
            request["data"] = {k: str(v) for k, v in body.items()}
    response = client.request(method.upper(), url, **request)
    assert response.status_code < 500, (method, url, name, repr(text), response.text[:300])
