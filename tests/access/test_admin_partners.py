"""Administration of partner systems and their API keys by the province admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.core.types import utcnow

KEY_FIELDS = {"id", "prefix", "label", "created_at", "expires_at", "last_used_at", "revoked_at"}


@pytest.fixture
def admin(db: Session, login: Callable) -> dict[str, str]:
    headers: dict[str, str] = login("province_admin").headers
    db.commit()
    return headers


@pytest.fixture
def partner(client: TestClient, admin: dict[str, str]) -> dict[str, object]:
    response = client.post(
        client.app.url_path_for("partner_create"),
        json={
            "name": "合肥市住建局系统",
            "agency": "合肥市住房和城乡建设局",
            "scopes": ["priority:housing"],
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def _issue(
    client: TestClient, admin: dict[str, str], partner_id: object, **body: object
) -> httpx.Response:
    url = client.app.url_path_for("api_key_issue", partner_id=str(partner_id))
    return client.post(url, json=body, headers=admin)


def _me(client: TestClient, key: str) -> httpx.Response:
    return client.get(client.app.url_path_for("me_get"), headers={"Authorization": f"Bearer {key}"})


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_partner_is_created_with_validated_scopes(partner: dict[str, object], db: Session) -> None:
    assert partner["scopes"] == ["priority:housing"]
    assert partner["disclose_person"] is False and partner["is_active"] is True
    assert _actions(db)[-1] == "partner.create"


@pytest.mark.parametrize("scopes", [["housing"], ["priority:parking"], ["priority:*"]])
def test_unknown_scopes_are_refused(
    client: TestClient, admin: dict[str, str], scopes: list[str]
) -> None:
    response = client.post(
        client.app.url_path_for("partner_create"),
        json={"name": "某系统", "scopes": scopes},
        headers=admin,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_scope"


def test_duplicate_partner_name_is_409(
    client: TestClient, admin: dict[str, str], partner: dict[str, object]
) -> None:
    response = client.post(
        client.app.url_path_for("partner_create"), json={"name": partner["name"]}, headers=admin
    )
    assert response.status_code == 409


def test_key_is_shown_once_and_works(
    client: TestClient, db: Session, admin: dict[str, str], partner: dict[str, object]
) -> None:
    issued = _issue(client, admin, partner["id"], label="生产环境")
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert set(body) == KEY_FIELDS | {"key"}
    assert issued.headers["cache-control"] == "no-store"
    assert body["key"].startswith(f"bk_{body['prefix']}_")
    assert _me(client, body["key"]).json()["name"] == "合肥市住建局系统"

    listing = client.get(
        client.app.url_path_for("api_key_list", partner_id=str(partner["id"])), headers=admin
    )
    assert [set(k) for k in listing.json()] == [KEY_FIELDS]
    assert body["key"] not in listing.text
    assert listing.json()[0]["last_used_at"] is not None
    assert _actions(db)[-1] == "api_key.create"


def test_revoking_one_key_leaves_the_others_working(
    client: TestClient, db: Session, admin: dict[str, str], partner: dict[str, object]
) -> None:
    old = _issue(client, admin, partner["id"], label="旧").json()
    new = _issue(client, admin, partner["id"], label="新").json()
    url = client.app.url_path_for("api_key_revoke", partner_id=str(partner["id"]), key_id=old["id"])
    revoked = client.post(url, headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert _me(client, old["key"]).status_code == 401
    assert _me(client, new["key"]).status_code == 200
    assert _actions(db)[-1] == "api_key.revoke"
    assert client.post(url, headers=admin).status_code == 200
    assert _actions(db)[-1] == "api_key.revoke"
    assert _actions(db).count("api_key.revoke") == 1, "revoking twice records it once"


def test_key_of_another_partner_is_404(
    client: TestClient, admin: dict[str, str], partner: dict[str, object]
) -> None:
    other = client.post(
        client.app.url_path_for("partner_create"),
        json={"name": "另一系统", "scopes": ["priority:housing"]},
        headers=admin,
    ).json()
    key = _issue(client, admin, other["id"]).json()
    url = client.app.url_path_for("api_key_revoke", partner_id=str(partner["id"]), key_id=key["id"])
    assert client.post(url, headers=admin).status_code == 404
    assert _me(client, key["key"]).status_code == 200


def test_key_with_an_expiry_stops_at_it(
    client: TestClient, admin: dict[str, str], partner: dict[str, object]
) -> None:
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    refused = _issue(client, admin, partner["id"], expires_at=past)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "in_the_past"
    future = (utcnow() + timedelta(days=90)).isoformat()
    issued = _issue(client, admin, partner["id"], expires_at=future).json()
    assert issued["expires_at"] is not None
    assert _me(client, issued["key"]).status_code == 200


def test_scope_and_state_changes_apply_at_once_and_are_audited(
    client: TestClient, db: Session, admin: dict[str, str], partner: dict[str, object]
) -> None:
    key = _issue(client, admin, partner["id"]).json()["key"]
    url = client.app.url_path_for("partner_update", partner_id=str(partner["id"]))
    changed = client.patch(
        url,
        json={"scopes": ["priority:medical", "priority:housing"], "disclose_person": True},
        headers=admin,
    )
    assert changed.status_code == 200
    assert changed.json()["scopes"] == ["priority:housing", "priority:medical"]
    me = _me(client, key).json()
    assert me["scopes"] == ["priority:housing", "priority:medical"] and me["disclose_person"]
    assert _actions(db)[-1] == "partner.update"

    assert client.patch(url, json={"is_active": False}, headers=admin).status_code == 200
    assert _me(client, key).status_code == 401


def test_partner_update_refuses_unknown_fields(
    client: TestClient, admin: dict[str, str], partner: dict[str, object]
) -> None:
    url = client.app.url_path_for("partner_update", partner_id=str(partner["id"]))
    response = client.patch(url, json={"key_hash": "00"}, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unknown_field"


def test_a_partner_is_renamed_but_not_to_a_taken_name(
    client: TestClient, admin: dict[str, str], partner: dict[str, object]
) -> None:
    create = client.app.url_path_for("partner_create")
    body = {"name": "另一系统", "scopes": ["priority:housing"]}
    assert client.post(create, json=body, headers=admin).status_code == 201
    url = client.app.url_path_for("partner_update", partner_id=str(partner["id"]))
    assert client.patch(url, json={"name": "另一系统"}, headers=admin).status_code == 409
    renamed = client.patch(url, json={"name": "改名"}, headers=admin)
    assert renamed.status_code == 200 and renamed.json()["name"] == "改名"
    emptied = client.patch(url, json={"scopes": []}, headers=admin)
    assert emptied.status_code == 422 and emptied.json()["errors"][0]["code"] == "no_scope"


def test_partners_are_listed_with_pagination(
    client: TestClient, admin: dict[str, str], partner: dict[str, object]
) -> None:
    url = client.app.url_path_for("partner_list")
    page = client.get(url, params={"page_size": 1}, headers=admin).json()
    assert page["total"] == 1 and page["items"][0]["id"] == partner["id"]


def test_a_partner_cannot_administer_partners(
    client: TestClient, db: Session, partner_login: Callable
) -> None:
    caller = partner_login(["priority:housing", "priority:medical"])
    db.commit()
    response = client.get(client.app.url_path_for("partner_list"), headers=caller.headers)
    assert response.status_code == 403
    own_keys = client.app.url_path_for("api_key_list", partner_id=str(caller.partner_id))
    assert client.get(own_keys, headers=caller.headers).status_code == 403
