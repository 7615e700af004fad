"""Logging in and out through the API: answers, lock-out, audit."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access import login as login_service
from app.access import service
from app.access.models import LoginThrottle, User
from app.core.audit import SYSTEM, AuditEvent
from app.core.db import session_scope
from app.core.types import utcnow

PASSWORD = "Shift-Start-0800"


@pytest.fixture
def clerk(db: Session) -> User:
    user = service.create_user(
        db, SYSTEM, username="clerk.wang", password=PASSWORD, role="window_clerk"
    )
    db.commit()
    return user


def _token(client: TestClient, username: str, password: str) -> httpx.Response:
    url = client.app.url_path_for("token_issue")
    return client.post(url, data={"username": username, "password": password})


def _me(client: TestClient, token: str) -> httpx.Response:
    url = client.app.url_path_for("me_get")
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_right_password_gives_a_bearer_token_for_a_shift(client: TestClient, clerk: User) -> None:
    response = _token(client, "clerk.wang", PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert 8 * 3600 - 60 <= body["expires_in"] <= 8 * 3600
    assert response.headers["cache-control"] == "no-store"
    me = _me(client, body["access_token"])
    assert me.json() == {
        "kind": "user",
        "username": "clerk.wang",
        "display_name": "clerk.wang",
        "role": "window_clerk",
        "city_code": None,
    }


def test_city_operator_sees_own_city_in_me(client: TestClient, login: Callable) -> None:
    operator = login("city_operator", "340200")
    url = client.app.url_path_for("me_get")
    assert client.get(url, headers=operator.headers).json()["city_code"] == "340200"


def test_wrong_password_and_unknown_username_get_identical_answers(
    client: TestClient, clerk: User
) -> None:
    wrong = _token(client, "clerk.wang", "Not-The-Password-1")
    unknown = _token(client, "clerk.nobody", "Not-The-Password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


def test_disabled_account_gets_the_wrong_password_answer(
    client: TestClient, db: Session, clerk: User
) -> None:
    service.update_user(db, SYSTEM, clerk, is_active=False)
    db.commit()
    disabled = _token(client, "clerk.wang", PASSWORD)
    unknown = _token(client, "clerk.nobody", PASSWORD)
    assert disabled.status_code == 401
    assert disabled.json() == unknown.json()


@pytest.mark.parametrize("username", ["clerk.wang", "clerk.nobody"])
def test_repeated_failures_lock_the_username_whether_or_not_it_exists(
    client: TestClient, clerk: User, override_settings: Callable, username: str
) -> None:
    override_settings(login_max_failures=3, login_lockout_minutes=15)
    answers = [_token(client, username, "Wrong-Password-9") for _ in range(3)]
    assert [a.json()["code"] for a in answers] == ["invalid_credentials"] * 2 + ["login_locked"]
    locked = _token(client, username, PASSWORD)
    assert locked.status_code == 401
    assert locked.json()["code"] == "login_locked"
    assert 14 * 60 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "15 分钟" in locked.json()["detail"]


def test_lock_answers_do_not_tell_whether_the_username_exists(
    client: TestClient, clerk: User, override_settings: Callable
) -> None:
    override_settings(login_max_failures=2)
    for name in ("clerk.wang", "clerk.nobody"):
        for _ in range(2):
            _token(client, name, "Wrong-Password-9")
    known, unknown = _token(client, "clerk.wang", PASSWORD), _token(client, "clerk.nobody", "x")
    assert known.json() == unknown.json()


def test_a_strangers_failures_lock_the_name_for_the_strangers_address_only(
    app: FastAPI, clerk: User, override_settings: Callable
) -> None:
    override_settings(login_max_failures=3)
    with (
        TestClient(app, client=("203.0.113.7", 40000)) as stranger,
        TestClient(app, client=("198.51.100.20", 40000)) as owner,
    ):
        for _ in range(3):
            _token(stranger, "clerk.wang", "Wrong-Password-9")
        assert _token(stranger, "clerk.wang", PASSWORD).json()["code"] == "login_locked"
        # The owner, elsewhere, logs in; and that does not unlock the stranger's address.
        assert _token(owner, "clerk.wang", PASSWORD).status_code == 200
        assert _token(stranger, "clerk.wang", PASSWORD).json()["code"] == "login_locked"


def test_lock_ends_after_its_period(
    client: TestClient, db: Session, clerk: User, override_settings: Callable
) -> None:
    override_settings(login_max_failures=2)
    for _ in range(2):
        _token(client, "clerk.wang", "Wrong-Password-9")
    assert _token(client, "clerk.wang", PASSWORD).json()["code"] == "login_locked"
    db.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == "clerk.wang")
        .values(locked_until=utcnow() - timedelta(seconds=1))
    )
    db.commit()
    assert _token(client, "clerk.wang", PASSWORD).status_code == 200


def test_success_clears_the_failure_count(
    client: TestClient, db: Session, clerk: User, override_settings: Callable
) -> None:
    override_settings(login_max_failures=3)
    for _ in range(2):
        _token(client, "clerk.wang", "Wrong-Password-9")
    assert _token(client, "clerk.wang", PASSWORD).status_code == 200
    for _ in range(2):
        _token(client, "clerk.wang", "Wrong-Password-9")
    assert _token(client, "clerk.wang", PASSWORD).status_code == 200


def test_failures_older_than_the_lock_period_no_longer_count(
    db: Session, clerk: User, override_settings: Callable
) -> None:
    override_settings(login_max_failures=2, login_lockout_minutes=15)
    long_ago = utcnow() - timedelta(hours=1)
    first = login_service.authenticate(
        db, username="clerk.wang", password="Wrong-1", client_address="10.0.0.1", now=long_ago
    )
    second = login_service.authenticate(
        db, username="clerk.wang", password="Wrong-2", client_address="10.0.0.1"
    )
    assert first.locked_until is None and second.locked_until is None
    third = login_service.authenticate(
        db, username="clerk.wang", password="Wrong-3", client_address="10.0.0.1"
    )
    assert third.locked_until is not None


def test_logins_and_failures_are_audited_without_secrets(
    client: TestClient, db: Session, clerk: User
) -> None:
    _token(client, "clerk.wang", "Wrong-Password-9")
    token = _token(client, "clerk.wang", PASSWORD).json()["access_token"]
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.target == "user:clerk.wang").order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in events][-2:] == ["auth.login_failed", "auth.login"]
    failed = json.loads(events[-2].detail)
    assert failed["reason"] == "wrong_password"
    assert events[-1].actor == "user:clerk.wang"
    for event in events:
        assert "Wrong-Password-9" not in event.detail and PASSWORD not in event.detail
        assert token not in event.detail


def test_a_username_that_is_an_id_number_is_not_written_to_the_audit(
    client: TestClient, db: Session
) -> None:
    response = _token(client, "34010219800101001X", "Whatever-123")
    assert response.status_code == 401
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None and event.action == "auth.login_failed"
    assert event.target == "user:?"


def test_logout_revokes_the_token(client: TestClient, db: Session, clerk: User) -> None:
    token = _token(client, "clerk.wang", PASSWORD).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(client.app.url_path_for("token_revoke"), headers=headers)
    assert response.status_code == 204
    again = _me(client, token)
    assert again.status_code == 401
    assert again.headers["www-authenticate"] == "Bearer"
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert last is not None and (last.action, last.target) == ("auth.logout", "user:clerk.wang")


def test_partner_key_cannot_be_logged_out(
    client: TestClient, db: Session, partner_login: Callable
) -> None:
    partner = partner_login(["priority:housing"])
    db.commit()  # keep the partner past the refused request's rollback
    response = client.post(client.app.url_path_for("token_revoke"), headers=partner.headers)
    assert response.status_code == 403
    assert _me(client, partner.headers["Authorization"].split()[1]).status_code == 200


def test_me_for_a_partner_names_agency_and_scopes(
    client: TestClient, partner_login: Callable
) -> None:
    partner = partner_login(["priority:housing", "priority:medical"], disclose_person=True)
    body = client.get(client.app.url_path_for("me_get"), headers=partner.headers).json()
    assert body == {
        "kind": "partner",
        "name": partner.name,
        "agency": "测试机关",
        "scopes": ["priority:housing", "priority:medical"],
        "disclose_person": True,
    }


@pytest.mark.parametrize(
    "form",
    [
        {"username": "clerk.wang"},
        {"password": PASSWORD},
        {"username": "clerk.wang", "password": PASSWORD, "grant_type": "client_credentials"},
        {"username": "x" * 65, "password": PASSWORD},
    ],
)
def test_malformed_token_requests_are_422(client: TestClient, clerk: User, form: dict) -> None:
    response = client.post(client.app.url_path_for("token_issue"), data=form)
    assert response.status_code == 422


def test_concurrent_failures_from_several_workers_all_count(
    fresh_database_url: str, override_settings: Callable
) -> None:
    override_settings(login_max_failures=6)
    with session_scope() as session:
        service.create_user(
            session, SYSTEM, username="clerk.sun", password=PASSWORD, role="window_clerk"
        )

    def fail(worker: int) -> None:
        with session_scope() as session:
            login_service.authenticate(
                session, username="clerk.sun", password="Wrong-1", client_address="10.0.0.1"
            )

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(fail, range(6)))
    with session_scope() as session:
        outcome = login_service.authenticate(
            session, username="clerk.sun", password=PASSWORD, client_address="10.0.0.1"
        )
    assert outcome.token is None and outcome.locked_until is not None
