"""Account, partner and assistance texts refuse ID numbers and control characters over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import Partner, User
from app.assistance.models import AssistanceCase
from tests.duties_factories import HEFEI, make_talent

SPACED = "340102 19800101 001x"
FULL_WIDTH = "３４０１０２１９８００１０１００１Ｘ"


def _url(client: TestClient, name: str) -> str:
    return str(client.app.url_path_for(name))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("display_name", "code"),
    [("张\x07三", "invalid_text"), (f"张三{FULL_WIDTH}", "id_number_in_text")],
)
def test_user_display_name_is_checked(
    client: TestClient, db: Session, login: Callable[..., Any], display_name: str, code: str
) -> None:
    admin = login("province_admin")
    db.commit()
    body = {
        "username": "clerk.text",
        "password": "Correct-Horse-Battery-9",
        "role": "window_clerk",
        "display_name": display_name,
    }
    response = client.post(_url(client, "user_create"), json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == code
    assert db.scalars(select(User).where(User.username == "clerk.text")).first() is None


def test_partner_agency_holding_an_id_number_is_refused(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    admin = login("province_admin")
    db.commit()
    body = {"name": "某市公积金中心", "agency": f"联系人 {SPACED}", "scopes": ["priority:housing"]}
    response = client.post(_url(client, "partner_create"), json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "id_number_in_text"
    assert db.scalars(select(Partner).where(Partner.name == "某市公积金中心")).first() is None


def test_assistance_situation_holding_an_id_number_is_refused(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    city = login("city_operator", HEFEI)
    db.commit()
    body = {
        "talent_id": str(talent.id),
        "situation": f"企业停产\n职工 {SPACED}",
        "measures": "转岗",
    }
    response = client.post(_url(client, "case_open"), json=body, headers=city.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "id_number_in_text"
    assert response.json()["errors"][0]["field"] == "situation"
    assert db.scalars(select(AssistanceCase)).first() is None
