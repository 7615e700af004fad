"""用户管理 and the partner edit: the province admin's account and partner jobs, by page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import login as logins
from app.access import partners, service
from app.access.models import Partner, User
from app.access.ratelimit import reset_limiter
from app.core.audit import SYSTEM, AuditEvent
from app.core.settings import get_settings
from tests.conftest import DEMO_PASSWORD, Login
from tests.duties_pages import post_form

NEW_PASSWORD = "Kx9#mQ2$vL7pRw"


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))  # type: ignore[attr-defined]


def _user(db: Session, username: str) -> User:
    db.expire_all()
    return db.scalars(select(User).where(User.username == username)).one()


def _lock(db: Session, username: str) -> None:
    """Fail to log in until the name is locked; the rate limiter's count is then reset."""
    for _ in range(get_settings().login_max_failures):
        logins.authenticate(db, username=username, password="wrong", client_address="t")
    db.commit()
    reset_limiter()


def _actions(db: Session, target: str) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.target == target).order_by(AuditEvent.seq)
        )
    )


def test_a_province_admin_creates_a_city_operator_who_can_then_log_in(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("province_admin")
    data = {
        "display_name": "王芳",
        "username": "wangfang",
        "role": "city_operator",
        "city_code": "340200",
        "password": NEW_PASSWORD,
    }
    created = post_form(
        client, url(client, "page_account_list"), url(client, "page_account_create"), data
    )
    assert created.status_code == 303
    detail = client.get(created.headers["location"])
    assert "王芳" in detail.text and "芜湖市" in detail.text and "市级经办人员" in detail.text
    user = _user(db, "wangfang")
    assert (user.role, user.city_code, user.display_name) == ("city_operator", "340200", "王芳")
    listing = client.get(url(client, "page_account_list"), params={"city_code": "340200"})
    assert "王芳" in listing.text
    outcome = logins.authenticate(
        db, username="wangfang", password=NEW_PASSWORD, client_address="t"
    )
    assert outcome.token is not None


def test_a_city_operator_without_a_city_is_refused_and_nothing_is_stored(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("province_admin")
    data = {
        "display_name": "李强",
        "username": "liqiang",
        "role": "city_operator",
        "city_code": "",
        "password": NEW_PASSWORD,
    }
    refused = post_form(
        client, url(client, "page_account_list"), url(client, "page_account_create"), data
    )
    assert refused.status_code == 422
    assert "所属市" in refused.text and "绑定一个本省的市" in refused.text
    assert 'value="liqiang"' in refused.text  # the input is shown again
    assert db.scalar(select(User).where(User.username == "liqiang")) is None


def test_reset_password_unlock_and_disable_through_the_account_page(
    client: TestClient, sign_in: Callable[..., Login], login: Callable[..., Login], db: Session
) -> None:
    clerk = login("window_clerk")
    sign_in("province_admin")
    user = _user(db, clerk.username)
    page = url(client, "page_account_detail", user_id=str(user.id))

    _lock(db, clerk.username)
    assert service.locked_until(db, user) is not None
    assert "登录已锁定" in client.get(page).text
    unlocked = post_form(client, page, url(client, "page_account_unlock", user_id=str(user.id)), {})
    assert unlocked.status_code == 303
    assert service.locked_until(db, user) is None
    assert "已解除登录锁定" in client.get(unlocked.headers["location"]).text

    weak = post_form(
        client,
        page,
        url(client, "page_account_password", user_id=str(user.id)),
        {"password": "123"},
    )
    assert weak.status_code == 422 and "密码" in weak.text
    reset = post_form(
        client,
        page,
        url(client, "page_account_password", user_id=str(user.id)),
        {"password": NEW_PASSWORD},
    )
    assert reset.status_code == 303
    assert logins.authenticate(
        db, username=clerk.username, password=NEW_PASSWORD, client_address="t"
    ).token
    assert not logins.authenticate(
        db, username=clerk.username, password=DEMO_PASSWORD, client_address="t"
    ).token

    renamed = post_form(
        client,
        page,
        url(client, "page_account_update", user_id=str(user.id)),
        {"display_name": "窗口张三", "role": "window_clerk", "city_code": "340100"},
    )
    assert renamed.status_code == 303
    assert (_user(db, clerk.username).display_name, _user(db, clerk.username).city_code) == (
        "窗口张三",
        "340100",
    )

    disabled = post_form(
        client, page, url(client, "page_account_state", user_id=str(user.id)), {"active": "false"}
    )
    assert disabled.status_code == 303
    assert _user(db, clerk.username).is_active is False
    assert client.get("/api/v1/auth/me", headers=clerk.headers).status_code == 401
    assert [a for a in _actions(db, f"user:{clerk.username}") if a.startswith("user.")][-5:] == [
        "user.unlock",
        "user.password_reset",
        "user.role_change",
        "user.rename",
        "user.disable",
    ]


def test_the_last_province_admin_cannot_be_disabled_from_the_page(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    for other in db.scalars(select(User).where(User.role == "province_admin")):
        other.is_active = False
    db.commit()
    me = sign_in("province_admin")
    user = _user(db, me.username)
    page = url(client, "page_account_detail", user_id=str(user.id))
    refused = post_form(
        client, page, url(client, "page_account_state", user_id=str(user.id)), {"active": "false"}
    )
    assert refused.status_code == 409
    assert "至少需要保留一名启用的省级管理员" in refused.text
    assert _user(db, me.username).is_active is True


def test_only_province_admins_reach_the_account_pages(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    for role, city in (("city_operator", "340100"), ("auditor", None), ("window_clerk", None)):
        sign_in(role, city)
        assert client.get(url(client, "page_account_list")).status_code == 403


def test_the_api_unlocks_a_locked_name(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    admin = login("province_admin")
    clerk = login("window_clerk")
    _lock(db, clerk.username)
    user = _user(db, clerk.username)
    answer = client.post(url(client, "user_unlock", user_id=str(user.id)), headers=admin.headers)
    assert answer.status_code == 204
    assert service.locked_until(db, user) is None


# --- partners ------------------------------------------------------------------------------


def test_a_partner_cannot_be_created_without_a_service(
    client: TestClient, sign_in: Callable[..., Login], login: Callable[..., Login], db: Session
) -> None:
    admin = sign_in("province_admin")
    data = {"name": "无服务系统", "agency": "省某厅"}
    refused = post_form(
        client, url(client, "page_partner_list"), url(client, "page_partner_create"), data
    )
    assert refused.status_code == 422
    assert "请至少选择一项服务事项" in refused.text
    api = client.post(
        url(client, "partner_create"),
        headers=admin.headers,
        json={"name": "无服务接口", "scopes": []},
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["code"] == "no_scope"
    assert db.scalar(select(Partner).where(Partner.name.in_(["无服务系统", "无服务接口"]))) is None


def _partner(db: Session) -> Partner:
    partner = partners.create_partner(
        db, SYSTEM, name="省教育厅学籍系统", scopes=["priority:education"]
    )
    db.commit()
    return partner


def test_a_partner_is_renamed_given_services_and_disabled_by_page(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    partner = _partner(db)
    _row, key = partners.issue_api_key(db, SYSTEM, partner)
    db.commit()
    sign_in("province_admin")
    pid = str(partner.id)
    page = url(client, "page_partner_detail", partner_id=pid)
    data: dict[str, Any] = {
        "name": "省教育厅招生系统",
        "agency": "省教育厅",
        "scopes": ["priority:education", "priority:hukou"],
    }
    saved = post_form(client, page, url(client, "page_partner_update", partner_id=pid), data)
    assert saved.status_code == 303
    assert "合作系统信息已保存" in client.get(saved.headers["location"]).text
    db.expire_all()
    assert (partner.name, partner.agency, partner.scopes) == (
        "省教育厅招生系统",
        "省教育厅",
        ["priority:education", "priority:hukou"],
    )

    emptied = post_form(
        client, page, url(client, "page_partner_update", partner_id=pid), {**data, "scopes": []}
    )
    assert emptied.status_code == 422 and "请至少选择一项服务事项" in emptied.text
    db.expire_all()
    assert partner.scopes == ["priority:education", "priority:hukou"]

    disabled = post_form(
        client, page, url(client, "page_partner_state", partner_id=pid), {"active": "false"}
    )
    assert disabled.status_code == 303
    db.expire_all()
    assert partner.is_active is False
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 401
