"""Errors, health, readiness, reference data, logs and the published OpenAPI document."""

from __future__ import annotations

import json
import logging
import re
from importlib.metadata import version
from pathlib import Path

from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.ops.migrate import schema_drift

ROOT = Path(__file__).resolve().parents[2]


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        assert schema_drift(connection) == []


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": version("bluecard")}


def test_readyz_when_migrated(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


def test_readyz_is_503_when_database_unreachable(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app
    from tests.conftest import reset_caches

    monkeypatch.setenv("BLUECARD_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    reset_caches()
    try:
        with TestClient(create_app()) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
    finally:
        monkeypatch.undo()
        reset_caches()


def test_readyz_is_503_when_schema_not_at_head(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app
    from tests.conftest import reset_caches

    monkeypatch.setenv("BLUECARD_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    reset_caches()
    try:
        with TestClient(create_app()) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["code"] == "schema_outdated"
    finally:
        monkeypatch.undo()
        reset_caches()


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404


def test_bad_parameter_is_422_problem_with_errors(client: TestClient) -> None:
    response = client.get("/api/v1/reference/planets")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "kind"
    assert response.headers["content-type"] == "application/problem+json"


def test_unhandled_exception_is_500_without_internals(app, caplog) -> None:  # type: ignore[no-untyped-def]
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals SELECT * FROM talent")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert "SELECT" not in response.text and "RuntimeError" not in response.text
    assert "req-123" in body["detail"]
    assert any("unhandled" in r.getMessage() and r.exc_info for r in caplog.records)


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "abc-1"})
    assert given.headers["x-request-id"] == "abc-1"
    made = [client.get("/healthz").headers["x-request-id"] for _ in range(3)]
    assert len(set(made)) == 3
    # Grouped as a UUID, so no run of digits in it can look like an ID number in a log.
    assert all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", rid) for rid in made)


def test_access_log_is_one_json_line_with_route_template(client: TestClient, caplog) -> None:  # type: ignore[no-untyped-def]
    from app.core.logging import JsonFormatter

    with caplog.at_level(logging.INFO, logger="bluecard.access"):
        client.get("/api/v1/reference/cities", headers={"X-Request-ID": "log-1"})
    records = [r for r in caplog.records if r.name == "bluecard.access"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["route"] == "/api/v1/reference/{kind}"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["request_id"] == "log-1"
    assert "duration_ms" in line


def test_reference_cities_come_from_the_seed(client: TestClient) -> None:
    response = client.get("/api/v1/reference/cities")
    assert response.status_code == 200
    codes = [c["code"] for c in response.json()]
    assert "340100" in codes and len(codes) == 17
    hefei = next(c for c in response.json() if c["code"] == "340100")
    assert hefei["name_zh"] == "合肥市" and hefei["name_en"] == "Hefei"


def test_every_reference_kind_is_served(client: TestClient) -> None:
    for kind, expected in [
        ("conditions", 3),
        ("categories", 7),
        ("services", 6),
        ("skill-levels", 5),
    ]:
        response = client.get(f"/api/v1/reference/{kind}")
        assert response.status_code == 200
        assert len(response.json()) == expected, kind


def test_published_openapi_matches_the_app(client: TestClient) -> None:
    published = json.loads((ROOT / "schemas" / "openapi.json").read_text(encoding="utf-8"))
    served = client.get("/openapi.json").json()
    assert served == published, "schemas/openapi.json is stale: run `python -m app.openapi`"


def test_every_log_line_of_a_request_carries_its_request_id(app, caplog) -> None:  # type: ignore[no-untyped-def]
    from app.core.logging import JsonFormatter

    router = APIRouter()

    @router.get("/logs-twice")
    def logs_twice() -> dict[str, str]:  # a sync route: runs in the thread pool
        logging.getLogger("bluecard.somewhere").warning("inside the handler")
        return {}

    app.include_router(router)
    with (
        TestClient(app) as client,
        caplog.at_level(logging.INFO),
    ):
        client.get("/logs-twice", headers={"X-Request-ID": "trace-7"})
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    inside = [line for line in lines if line["message"] == "inside the handler"]
    assert inside and inside[0]["request_id"] == "trace-7"
