"""Transport and files: no-store on the API, HSTS and Secure cookies in production, a
private SQLite file, no demo logins in production."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.cli import main as bluecard
from app.core.db import make_engine
from tests.conftest import Login


def test_api_answers_are_not_stored(client: TestClient, login: Callable[..., Login]) -> None:
    response = client.get("/api/v1/talents", headers=login("province_admin").headers)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers


def test_the_public_roster_may_be_cached(client: TestClient) -> None:
    response = client.get("/api/v1/public/roster")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_production_sends_hsts_and_secure_cookies(
    client: TestClient, override_settings: Callable[..., None]
) -> None:
    override_settings(environment="production", session_cookie_secure="false")

    response = client.get(client.app.url_path_for("page_login_form"))  # type: ignore[attr-defined]

    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("bluecard_presession=")
    assert "secure" in cookie.lower().split("; ")


def test_outside_production_cookies_follow_the_setting(client: TestClient) -> None:
    response = client.get(client.app.url_path_for("page_login_form"))  # type: ignore[attr-defined]

    assert "secure" not in response.headers["set-cookie"].lower().split("; ")


def test_a_new_sqlite_database_and_its_log_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    files = [path, tmp_path / "new.db-wal"]
    try:
        assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600, 0o600]
    finally:
        engine.dispose()


def test_demo_is_refused_in_production(
    override_settings: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    override_settings(environment="production")

    assert bluecard(["serve", "--demo", "--no-migrate"]) == 1
    assert "--demo" in capsys.readouterr().err


def test_demo_is_refused_on_a_database_that_holds_data(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.access import service
    from app.core.audit import SYSTEM
    from app.core.db import session_scope
    from app.demo.load import holds_data

    with session_scope() as session:
        assert not holds_data(session)
        service.create_user(
            session, SYSTEM, username="op.real", password="Correct-Horse-42", role="auditor"
        )
    with session_scope() as session:
        assert holds_data(session)

    assert bluecard(["serve", "--demo", "--no-migrate"]) == 1
    assert "empty database" in capsys.readouterr().err
    with session_scope() as session:
        assert session.scalar(text("SELECT count(*) FROM user_account")) == 1
