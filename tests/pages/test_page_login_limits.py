"""Page login is the API's login: the same credential fields, lock-out, rate limits and
answers, and a refusal that stores what the API's stores (the failure count, one audit event)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.models import LoginThrottle
from app.core.audit import AuditEvent
from app.core.settings import get_settings
from app.pages.session import SESSION_COOKIE
from tests.conftest import DEMO_PASSWORD, Login
from tests.pages.conftest import csrf_of

WRONG = "Not-The-Password-1"


def page_login(client: TestClient, username: str, password: str) -> Any:
    form = client.get(client.app.url_path_for("page_login_form"))
    data = {"username": username, "password": password, "csrf_token": csrf_of(form.text)}
    return client.post(
        client.app.url_path_for("page_login_submit"), data=data, follow_redirects=False
    )


def api_login(client: TestClient, username: str, password: str) -> Any:
    url = client.app.url_path_for("token_issue")
    return client.post(url, data={"username": username, "password": password})


def traces(db: Session) -> tuple[int, int]:
    """What a login attempt leaves: failure counters and audit events."""
    db.expire_all()
    throttles = db.scalar(select(func.sum(LoginThrottle.failures))) or 0
    return throttles, db.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_an_overlong_password_is_refused_before_it_is_checked_as_by_the_api(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    clerk = login("window_clerk")
    before = traces(db)
    assert api_login(client, clerk.username, "x" * 300).status_code == 422
    response = page_login(client, clerk.username, "x" * 300)
    assert response.status_code == 422
    assert "密码最多" in response.text
    assert traces(db) == before


def test_a_refused_page_login_stores_what_the_api_stores(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    first, second = login("window_clerk"), login("window_clerk")
    before = traces(db)
    api = api_login(client, first.username, WRONG)
    after_api = traces(db)
    page = page_login(client, second.username, WRONG)
    after_page = traces(db)
    assert api.status_code == page.status_code == 401
    assert api.json()["detail"] in page.text
    assert [a - b for a, b in zip(after_api, before, strict=True)] == [1, 1]
    assert [a - b for a, b in zip(after_page, after_api, strict=True)] == [1, 1]


def test_failures_through_the_api_lock_the_page_login_too(
    client: TestClient, login: Callable[..., Login]
) -> None:
    clerk = login("window_clerk")
    for _ in range(get_settings().login_max_failures):
        api_login(client, clerk.username, WRONG)
    response = page_login(client, clerk.username, DEMO_PASSWORD)
    assert response.status_code == 401
    assert "已暂时锁定" in response.text
    assert 1 <= int(response.headers["retry-after"]) <= 60 * get_settings().login_lockout_minutes
    assert SESSION_COOKIE not in client.cookies


def test_page_and_api_logins_share_one_rate_limit_per_client(
    client: TestClient, login: Callable[..., Login], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "rate_limit_login", "2/minute")
    monkeypatch.setattr(get_settings(), "login_max_failures", 100)
    one, two, three = login("window_clerk"), login("window_clerk"), login("window_clerk")
    assert page_login(client, one.username, WRONG).status_code == 401
    assert api_login(client, two.username, WRONG).status_code == 401
    refused = page_login(client, three.username, DEMO_PASSWORD)
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.text
    assert int(refused.headers["retry-after"]) >= 1
    assert SESSION_COOKIE not in client.cookies
    assert api_login(client, three.username, DEMO_PASSWORD).status_code == 429


def test_a_page_session_counts_against_the_credential_limit_as_the_api_does(
    client: TestClient, db: Session, login: Callable[..., Login], override_settings: Callable
) -> None:
    """One authentication: a session token admitted by the pages is counted with its calls
    to the API, and refused (429) once the credential's limit is spent, whichever asks."""
    override_settings(rate_limit_credential="3/minute")
    clerk = login("window_clerk")
    db.commit()
    token = clerk.headers["Authorization"].removeprefix("Bearer ")
    client.cookies.set(SESSION_COOKIE, token)
    counter = client.app.url_path_for("page_counter_home")
    assert [client.get(counter).status_code for _ in range(2)] == [200, 200]
    assert client.get(client.app.url_path_for("me_get"), headers=clerk.headers).status_code == 200
    refused = client.get(counter)
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.text
    assert int(refused.headers["retry-after"]) >= 1
