"""Administration of user accounts by the province admin."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import User
from app.core.audit import AuditEvent

GOOD_PASSWORD = "Window-Shift-2026"
USER_FIELDS = {
    "id",
    "username",
    "display_name",
    "role",
    "city_code",
    "is_active",
    "created_at",
    "updated_at",
}


@pytest.fixture
def admin(db: Session, login: Callable) -> dict[str, str]:
    headers: dict[str, str] = login("province_admin").headers
    db.commit()
    return headers


def _create(client: TestClient, admin: dict[str, str], **body: object) -> httpx.Response:
    payload = {"username": "op.hefei", "password": GOOD_PASSWORD, "role": "window_clerk", **body}
    return client.post(client.app.url_path_for("user_create"), json=payload, headers=admin)


def _last_event(db: Session) -> AuditEvent:
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None
    return event


def test_admin_creates_a_city_operator_and_no_hash_comes_back(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    response = _create(client, admin, role="city_operator", city_code="340100", display_name="王")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == USER_FIELDS
    assert (body["role"], body["city_code"], body["display_name"]) == (
        "city_operator",
        "340100",
        "王",
    )
    assert "argon2" not in response.text and GOOD_PASSWORD not in response.text
    event = _last_event(db)
    assert (event.action, event.target) == ("user.create", "user:op.hefei")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Short-1", "too short"),
        ("alllowercaseletters", "one kind of character"),
        ("lowercase-and-symbols", "two kinds"),
        ("Op.Hefei-2026-xx", "contains the username"),
    ],
)
def test_weak_passwords_are_refused(
    client: TestClient, admin: dict[str, str], password: str, why: str
) -> None:
    response = _create(client, admin, password=password)
    assert response.status_code == 422, why
    assert response.json()["errors"][0]["code"] == "weak_password"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"role": "city_operator"}, "city_code", "invalid_city"),
        ({"role": "city_operator", "city_code": "110100"}, "city_code", "invalid_city"),
        ({"role": "superuser"}, "role", "enum"),
        ({"username": "34010219800101001X"}, "username", "invalid_username"),
        ({"username": "王五"}, "username", "invalid_username"),
        ({"password_hash": "x"}, "password_hash", "unknown_field"),
        ({"is_active": False}, "is_active", "unknown_field"),
    ],
)
def test_bad_user_input_is_422_naming_the_field(
    client: TestClient, admin: dict[str, str], body: dict[str, object], field: str, code: str
) -> None:
    response = _create(client, admin, **body)
    assert response.status_code == 422
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.json()["errors"]
    ]


def test_duplicate_username_is_409(client: TestClient, admin: dict[str, str]) -> None:
    assert _create(client, admin).status_code == 201
    response = _create(client, admin)
    assert response.status_code == 409
    assert response.json()["code"] == "username_taken"


def test_list_is_paginated_and_filtered(client: TestClient, admin: dict[str, str]) -> None:
    for i in range(3):
        _create(client, admin, username=f"op.c{i}", role="city_operator", city_code="340200")
    url = client.app.url_path_for("user_list")
    page = client.get(url, params={"role": "city_operator", "page_size": 2}, headers=admin).json()
    assert (page["total"], page["page"], page["page_size"]) == (3, 1, 2)
    assert [u["username"] for u in page["items"]] == ["op.c0", "op.c1"]
    second = client.get(
        url, params={"role": "city_operator", "page_size": 2, "page": 2}, headers=admin
    ).json()
    assert [u["username"] for u in second["items"]] == ["op.c2"]
    other_city = client.get(url, params={"city_code": "340100"}, headers=admin).json()
    assert other_city["total"] == 0
    assert all(set(u) == USER_FIELDS for u in page["items"])


def test_role_change_is_audited_and_takes_effect_at_once(
    client: TestClient, db: Session, admin: dict[str, str], login: Callable
) -> None:
    clerk = login("window_clerk")
    db.commit()
    user = db.scalars(select(User).where(User.username == clerk.username)).one()
    url = client.app.url_path_for("user_update", user_id=str(user.id))
    response = client.patch(
        url, json={"role": "city_operator", "city_code": "340300"}, headers=admin
    )
    assert response.status_code == 200, response.text
    event = _last_event(db)
    assert event.action == "user.role_change"
    assert json.loads(event.detail) == {
        "from": ["window_clerk", None],
        "to": ["city_operator", "340300"],
    }
    me = client.get(client.app.url_path_for("me_get"), headers=clerk.headers).json()
    assert (me["role"], me["city_code"]) == ("city_operator", "340300")


def test_disabling_a_user_is_audited_and_locks_them_out(
    client: TestClient, db: Session, admin: dict[str, str], login: Callable
) -> None:
    clerk = login("window_clerk")
    db.commit()
    user = db.scalars(select(User).where(User.username == clerk.username)).one()
    url = client.app.url_path_for("user_update", user_id=str(user.id))
    assert client.patch(url, json={"is_active": False}, headers=admin).json()["is_active"] is False
    assert _last_event(db).action == "user.disable"
    assert client.get(client.app.url_path_for("me_get"), headers=clerk.headers).status_code == 401


def test_the_last_province_admin_cannot_be_demoted_or_disabled(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    me = client.get(client.app.url_path_for("me_get"), headers=admin).json()
    user = db.scalars(select(User).where(User.username == me["username"])).one()
    url = client.app.url_path_for("user_update", user_id=str(user.id))
    for change in ({"role": "auditor"}, {"is_active": False}):
        response = client.patch(url, json=change, headers=admin)
        assert response.status_code == 409
        assert response.json()["code"] == "last_province_admin"


def test_password_reset_ends_sessions_and_sets_the_new_password(
    client: TestClient, db: Session, admin: dict[str, str], login: Callable
) -> None:
    clerk = login("window_clerk")
    db.commit()
    user = db.scalars(select(User).where(User.username == clerk.username)).one()
    url = client.app.url_path_for("user_password_reset", user_id=str(user.id))
    assert client.post(url, json={"password": "weak"}, headers=admin).status_code == 422
    assert client.post(url, json={"password": "New-Password-77"}, headers=admin).status_code == 204
    assert _last_event(db).action == "user.password_reset"
    assert client.get(client.app.url_path_for("me_get"), headers=clerk.headers).status_code == 401
    login_url = client.app.url_path_for("token_issue")
    form = {"username": clerk.username, "password": "New-Password-77"}
    assert client.post(login_url, data=form).status_code == 200


def test_unknown_user_is_404(client: TestClient, admin: dict[str, str]) -> None:
    url = client.app.url_path_for("user_get", user_id="00000000-0000-0000-0000-000000000000")
    assert client.get(url, headers=admin).status_code == 404


@pytest.mark.parametrize("role", ["city_operator", "window_clerk", "auditor"])
def test_other_roles_cannot_see_or_create_accounts(
    client: TestClient, db: Session, login: Callable, role: str
) -> None:
    caller = login(role, "340100" if role == "city_operator" else None)
    db.commit()
    listing = client.get(client.app.url_path_for("user_list"), headers=caller.headers)
    assert listing.status_code == 403
    assert "items" not in listing.json()
    created = _create(client, caller.headers, username="sneaky.one")
    assert created.status_code == 403
    assert db.scalar(select(User.id).where(User.username == "sneaky.one")) is None


@pytest.mark.parametrize(("city_code", "stored"), [("340200", "340200"), (None, None)])
def test_a_window_clerk_serves_a_citys_window_or_the_provinces(
    client: TestClient, admin: dict[str, str], city_code: str | None, stored: str | None
) -> None:
    body = {"city_code": city_code} if city_code else {}
    response = _create(client, admin, role="window_clerk", **body)
    assert response.status_code == 201, response.text
    assert response.json()["city_code"] == stored
