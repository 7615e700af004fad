"""Request bodies over the route's limit: 413 before the body is read, before authentication."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import anyio
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Login

CHUNK = 64 * 1024


@dataclass
class Exchange:
    status: int = 0
    body: bytearray = field(default_factory=bytearray)
    reads: int = 0

    def problem(self) -> dict[str, object]:
        return json.loads(bytes(self.body))  # type: ignore[no-any-return]


def call(
    app: FastAPI,
    path: str,
    chunks: Iterator[bytes],
    *,
    headers: list[tuple[bytes, bytes]],
) -> Exchange:
    """One raw ASGI request, counting how many body chunks the application pulled."""
    exchange = Exchange()

    async def receive() -> dict[str, object]:
        exchange.reads += 1
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            exchange.status = int(message["status"])  # type: ignore[call-overload]
        elif message["type"] == "http.response.body":
            exchange.body.extend(message.get("body", b""))  # type: ignore[arg-type]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [(b"host", b"testserver"), *headers],
    }
    anyio.run(app, scope, receive, send)
    return exchange


def endless() -> Iterator[bytes]:
    while True:
        yield b" " * CHUNK


JSON = (b"content-type", b"application/json")


def test_a_declared_200_mb_lookup_without_credentials_is_413_unread(app: FastAPI) -> None:
    path = app.url_path_for("priority_lookup")
    declared = (b"content-length", str(200 * 1024 * 1024).encode())

    exchange = call(app, path, endless(), headers=[JSON, declared])

    assert exchange.status == 413
    assert exchange.problem()["code"] == "payload_too_large"
    assert exchange.reads == 0


def test_a_chunked_body_is_counted_and_reading_stops_at_the_limit(app: FastAPI) -> None:
    path = app.url_path_for("priority_lookup")

    exchange = call(app, path, endless(), headers=[JSON])

    assert exchange.status == 413
    assert exchange.problem()["code"] == "payload_too_large"
    assert exchange.reads <= 1024 * 1024 // CHUNK + 1


def test_a_chunked_body_within_the_limit_reaches_authentication(app: FastAPI) -> None:
    path = app.url_path_for("priority_lookup")

    exchange = call(app, path, iter([b'{"service": "housing"}']), headers=[JSON])

    assert exchange.status == 401


def test_a_clerks_30_mb_lookup_is_413(client: TestClient, login: Callable[..., Login]) -> None:
    clerk = login("window_clerk")
    body = {"id_number": "x", "service": "housing", "purpose": "办理" * (15 * 1024 * 1024)}

    response = client.post(
        client.app.url_path_for("priority_lookup"),  # type: ignore[attr-defined]
        json=body,
        headers=clerk.headers,
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"


def test_the_json_limit_is_a_setting(
    client: TestClient, override_settings: Callable[..., None]
) -> None:
    override_settings(max_body_kb=1)
    response = client.post(
        client.app.url_path_for("priority_lookup"),  # type: ignore[attr-defined]
        content=b" " * 2048,
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert "1 KB" in response.json()["detail"]


def test_a_chunked_login_form_is_cut_off_before_it_is_spooled(app: FastAPI) -> None:
    multipart = (b"content-type", b"multipart/form-data; boundary=b")
    head = b'--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'

    def body() -> Iterator[bytes]:
        yield head
        yield from endless()

    exchange = call(app, app.url_path_for("page_login_submit"), body(), headers=[multipart])

    assert exchange.status == 413
    assert exchange.reads <= 1024 * 1024 // CHUNK + 2


def test_a_declared_oversized_token_request_is_413(app: FastAPI) -> None:
    form = (b"content-type", b"application/x-www-form-urlencoded")
    declared = (b"content-length", str(300 * 1024 * 1024).encode())

    exchange = call(app, app.url_path_for("token_issue"), endless(), headers=[form, declared])

    assert exchange.status == 413
    assert exchange.reads == 0
