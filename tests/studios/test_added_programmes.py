"""A studio programme the province adds (with its owning unit) takes applications, is
named wherever applications and studios show, and once deactivated takes no new ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.pages.session import SESSION_COOKIE
from tests.conftest import Login
from tests.duties_factories import HEFEI, make_talent

YOUTH_STUDIO = {
    "code": "youth_studio",
    "name_zh": "青年技能人才工作室",
    "name_en": "Youth skills studio",
    "owner_unit": "共青团安徽省委",
}


@pytest.fixture
def city(login: Callable[..., Login], db: Session) -> Login:
    who = login("city_operator", HEFEI)
    db.commit()
    return who


def change(client: TestClient, province: Login, body: dict[str, Any], code: str = "") -> None:
    """Add a programme (no `code`), or change the one of `code`."""
    url = "/api/v1/reference/studio-programmes" + (f"/{code}" if code else "")
    method = client.patch if code else client.post
    response = method(url, json=body, headers=province.headers)
    assert response.status_code in (200, 201), response.text


def test_a_studio_application_takes_a_programme_the_province_added(
    client: TestClient, db: Session, province: Login, city: Login
) -> None:
    change(client, province, YOUTH_STUDIO)
    leader, other = make_talent(db), make_talent(db)
    db.commit()

    def apply(who: Any) -> Any:
        body = {
            "talent_id": str(who.id),
            "project_type": "youth_studio",
            "title": f"{who.name}青年技能人才工作室",
            "host_employer": who.employer,
            "host_uscc": who.employer_uscc,
            "plan_summary": "三年内带青年徒弟20名。",
        }
        return client.post("/api/v1/studios/applications", json=body, headers=city.headers)

    entered = apply(leader)
    assert entered.status_code == 201, entered.text
    application = entered.json()
    assert application["project_type"] == "youth_studio"
    assert application["project_type_name"] == "青年技能人才工作室"
    assert application["project_owner_unit"] == "共青团安徽省委"
    base = f"/api/v1/studios/applications/{application['id']}"
    assert client.post(f"{base}/accept", json={}, headers=province.headers).status_code == 200
    approved = client.post(f"{base}/approve", json={}, headers=province.headers).json()
    assert approved["studio"]["project_type_name"] == "青年技能人才工作室"
    studios = client.get(
        "/api/v1/studios", params={"project_type": "youth_studio"}, headers=province.headers
    ).json()
    assert [s["name"] for s in studios["items"]] == [f"{leader.name}青年技能人才工作室"]
    unknown = client.get(
        "/api/v1/studios", params={"project_type": "nothing_here"}, headers=province.headers
    )
    assert unknown.status_code == 422

    client.cookies.set(SESSION_COOKIE, city.headers["Authorization"].removeprefix("Bearer "))
    page = client.get(f"/studios/{application['id']}")
    assert page.status_code == 200
    assert "青年技能人才工作室" in page.text and "共青团安徽省委" in page.text
    form = client.get("/studios/new", params={"talent_id": str(other.id)})
    assert '<option value="youth_studio">青年技能人才工作室（共青团安徽省委）</option>' in form.text

    change(client, province, {"active": False}, "youth_studio")
    refused = apply(other)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "invalid_code"
    assert "「技能大师工作室」" in refused.json()["detail"]
    # What was approved under it keeps its name.
    assert "青年技能人才工作室" in client.get("/studios").text
