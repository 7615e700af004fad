"""Page sessions: login, logout, expiry, and CSRF on every form."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access import credentials
from app.access.models import AuthToken, LoginThrottle
from app.core.types import utcnow
from app.pages.session import PRE_SESSION_COOKIE, SESSION_COOKIE
from tests.conftest import DEMO_PASSWORD, Login
from tests.pages.conftest import csrf_of


def _log_in(client: TestClient, username: str, password: str = DEMO_PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    form = client.get(client.app.url_path_for("page_login_form"))
    data = {"username": username, "password": password, "csrf_token": csrf_of(form.text), **extra}
    return client.post(
        client.app.url_path_for("page_login_submit"), data=data, follow_redirects=False
    )


def test_login_sets_a_strict_httponly_cookie_and_sends_the_clerk_to_the_counter(
    client: TestClient, login: Callable[..., Login]
) -> None:
    clerk = login("window_clerk")
    response = _log_in(client, clerk.username)
    assert response.status_code == 303
    assert response.headers["location"] == client.app.url_path_for("page_counter_home")
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert client.get(response.headers["location"]).status_code == 200


@pytest.mark.parametrize(
    ("role", "city_code", "home"),
    [
        ("city_operator", "340100", "page_city_home"),
        ("province_admin", None, "page_province_home"),
        ("auditor", None, "page_audit_home"),
    ],
)
def test_home_page_sends_each_role_to_its_area(
    client: TestClient,
    login: Callable[..., Login],
    role: str,
    city_code: str | None,
    home: str,
) -> None:
    assert _log_in(client, login(role, city_code).username).status_code == 303
    response = client.get(client.app.url_path_for("page_home"), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == client.app.url_path_for(home)


def test_wrong_password_is_refused_in_chinese_and_counted(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    clerk = login("window_clerk")
    response = _log_in(client, clerk.username, password="Not-The-Password-1")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert SESSION_COOKIE not in client.cookies
    failures = db.scalar(
        select(LoginThrottle.failures).where(LoginThrottle.username == clerk.username)
    )
    assert failures == 1


def test_login_after_too_many_failures_says_the_account_is_locked(
    client: TestClient, login: Callable[..., Login]
) -> None:
    clerk = login("window_clerk")
    for _ in range(5):
        _log_in(client, clerk.username, password="Not-The-Password-1")
    response = _log_in(client, clerk.username)
    assert "已暂时锁定" in response.text
    assert SESSION_COOKIE not in client.cookies


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(
    client: TestClient, login: Callable[..., Login]
) -> None:
    talents = client.app.url_path_for("page_talent_list")
    response = _log_in(client, login("auditor").username, next=talents)
    assert response.headers["location"] == talents
    response = _log_in(client, login("auditor").username, next="//evil.example/")
    assert response.headers["location"] == client.app.url_path_for("page_audit_home")


def test_expired_session_redirects_to_login_with_a_chinese_notice(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("window_clerk")
    token = client.cookies[SESSION_COOKIE]
    db.execute(
        update(AuthToken)
        .where(AuthToken.token_hash == credentials.digest(token))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.commit()
    counter = client.app.url_path_for("page_counter_home")
    response = client.get(counter, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(client.app.url_path_for("page_login_form"))
    assert "notice=expired" in response.headers["location"]
    assert f"next={counter.replace('/', '%2F')}" in response.headers["location"]
    page = client.get(response.headers["location"])
    assert "登录已过期，请重新登录" in page.text


def test_anonymous_visitor_is_sent_to_login_without_an_expiry_notice(client: TestClient) -> None:
    response = client.get(client.app.url_path_for("page_talent_list"), follow_redirects=False)
    assert response.status_code == 303
    assert "notice=expired" not in response.headers["location"]


def test_logout_revokes_the_session_token(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("auditor")
    token = client.cookies[SESSION_COOKIE]
    page = client.get(client.app.url_path_for("page_audit_home"))
    response = client.post(
        client.app.url_path_for("page_logout"),
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "notice=logged_out" in response.headers["location"]
    revoked_at = db.scalar(
        select(AuthToken.revoked_at).where(AuthToken.token_hash == credentials.digest(token))
    )
    assert revoked_at is not None
    client.cookies.set(SESSION_COOKIE, token)  # a copy of the old cookie no longer works
    again = client.get(client.app.url_path_for("page_audit_home"), follow_redirects=False)
    assert again.status_code == 303


def _page_post_routes(client: TestClient) -> list[str]:
    """Every POST route of the pages, its path filled with placeholder values."""
    paths = []
    for route in iter_route_contexts(client.app.routes):
        module = getattr(route.endpoint, "__module__", "") or ""
        if "POST" in (route.methods or set()) and module.startswith("app.pages."):
            path = str(route.path)
            for name in route.param_convertors:
                value = "suspend" if name == "verb" else str(uuid.uuid4())
                path = path.replace("{" + name + "}", value)
            paths.append(path)
    return paths


def test_every_page_form_without_its_csrf_token_is_refused_in_chinese(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    sign_in("province_admin")
    paths = _page_post_routes(client)
    assert len(paths) >= 7
    for path in paths:
        for data in ({}, {"csrf_token": "0" * 64}):
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, path
            assert "表单已失效或来源不明" in response.text, path
            assert response.headers["content-type"].startswith("text/html")


def test_a_login_form_from_another_browser_only_leads_back_to_the_login_page(
    client: TestClient, login: Callable[..., Login]
) -> None:
    clerk = login("window_clerk")
    token = csrf_of(client.get(client.app.url_path_for("page_login_form")).text)
    client.cookies.set(PRE_SESSION_COOKIE, "another-browser")
    response = client.post(
        client.app.url_path_for("page_login_submit"),
        data={"username": clerk.username, "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("?notice=stale")
    assert SESSION_COOKIE not in client.cookies
    assert "页面已失效，请重新登录" in client.get(response.headers["location"]).text


def test_a_form_posted_after_the_session_expired_goes_to_login_not_to_an_error(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("window_clerk")
    page = client.get(client.app.url_path_for("page_counter_home"))
    db.execute(update(AuthToken).values(revoked_at=utcnow()))
    db.commit()
    response = client.post(
        client.app.url_path_for("page_counter_lookup"),
        data={"csrf_token": csrf_of(page.text), "query": "x", "service": "housing"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "notice=expired" in response.headers["location"]
