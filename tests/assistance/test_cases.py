"""Assistance cases through the API: opening, services to dependents, closing, the wall
between cities, the province's summary and the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.assistance.models import AssistanceCase
from app.core.audit import AuditEvent
from app.registry.markers import local_today
from app.registry.models import Talent
from tests.duties_factories import HEFEI, WUHU, make_talent


@pytest.fixture
def user(login: Callable[..., Any], db: Session) -> Callable[..., Any]:
    """A logged-in user, committed so a refused request's rollback keeps them."""

    def make(role: str, city_code: str | None = None) -> Any:
        made = login(role, city_code)
        db.commit()
        return made

    return make


@pytest.fixture
def hefei(user: Callable[..., Any]) -> Any:
    return user("city_operator", HEFEI)


def open_case(client: TestClient, headers: dict[str, str], talent: Talent, **extra: Any) -> Any:
    body = {
        "talent_id": str(talent.id),
        "situation": "企业订单骤减，停产半年",
        "measures": "协调转岗至同行业企业，保留技能岗位津贴",
        **extra,
    }
    return client.post(client.app.url_path_for("case_open"), json=body, headers=headers)


def case_url(client: TestClient, name: str, case_id: str) -> str:
    return client.app.url_path_for(name, case_id=case_id)


def test_city_opens_a_case_and_sees_the_dependents_masked(
    client: TestClient, db: Session, hefei: Any
) -> None:
    talent = make_talent(db, dependents=("spouse", "child"))
    response = open_case(client, hefei.headers, talent)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "open"
    assert body["status_name"] == "帮扶中"
    assert body["employer"] == talent.employer
    assert body["days_open"] == 0
    assert [d["relation_name"] for d in body["dependents"]] == ["配偶", "子女"]
    for dependent in body["dependents"]:
        assert dependent["id_number_masked"].count("*") == 10
    assert "id_number" not in str([set(d) - {"id_number_masked"} for d in body["dependents"]])


def test_services_to_dependents_then_close(client: TestClient, db: Session, hefei: Any) -> None:
    talent = make_talent(db, dependents=("spouse", "child"))
    case = open_case(client, hefei.headers, talent).json()
    spouse, child = case["dependents"]
    today = local_today().isoformat()
    services = case_url(client, "case_service_add", case["id"])
    for dependent, kind in (
        (spouse, "career_guidance"),
        (child, "skills_training"),
        (child, "job_referral"),
    ):
        body = {
            "dependent_id": dependent["id"],
            "kind": kind,
            "service_date": today,
            "outcome": "已完成",
        }
        response = client.post(services, json=body, headers=hefei.headers)
        assert response.status_code == 201, response.text
        assert response.json()["dependent_id_masked"] == dependent["id_number_masked"]
    closed = client.post(
        case_url(client, "case_close", case["id"]),
        json={"result": "本人转岗稳定就业，配偶已就业"},
        headers=hefei.headers,
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed"
    assert body["closed_on"] == today
    assert [s["kind_name"] for s in body["services"]] == ["职业指导", "技能培训", "职业介绍"]


def test_service_for_someone_not_a_registered_dependent_is_refused(
    client: TestClient, db: Session, hefei: Any
) -> None:
    talent = make_talent(db, dependents=("spouse",))
    stranger = make_talent(db, dependents=("child",))
    case = open_case(client, hefei.headers, talent).json()
    body = {
        "dependent_id": stranger.dependents[0].id,
        "kind": "job_referral",
        "service_date": local_today().isoformat(),
        "outcome": "推荐岗位3个",
    }
    response = client.post(
        case_url(client, "case_service_add", case["id"]), json=body, headers=hefei.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_dependent"
    assert response.json()["errors"][0]["field"] == "dependent_id"


@pytest.mark.parametrize("days", [1, -1])
def test_service_date_must_fall_between_opening_and_today(
    client: TestClient, db: Session, hefei: Any, days: int
) -> None:
    talent = make_talent(db, dependents=("spouse",))
    case = open_case(client, hefei.headers, talent).json()
    body = {
        "dependent_id": case["dependents"][0]["id"],
        "kind": "career_guidance",
        "service_date": (local_today() + timedelta(days=days)).isoformat(),
        "outcome": "面谈一次",
    }
    response = client.post(
        case_url(client, "case_service_add", case["id"]), json=body, headers=hefei.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "service_date_out_of_range"


def test_a_closed_case_cannot_change(client: TestClient, db: Session, hefei: Any) -> None:
    case = open_case(client, hefei.headers, make_talent(db, dependents=("child",))).json()
    client.post(
        case_url(client, "case_close", case["id"]),
        json={"result": "已稳定"},
        headers=hefei.headers,
    )
    update_response = client.patch(
        case_url(client, "case_update", case["id"]),
        json={"measures": "新措施"},
        headers=hefei.headers,
    )
    assert update_response.status_code == 409
    assert update_response.json()["code"] == "case_closed"
    again = client.post(
        case_url(client, "case_close", case["id"]),
        json={"result": "x"},
        headers=hefei.headers,
    )
    assert again.status_code == 409


def test_update_changes_the_measures(client: TestClient, db: Session, hefei: Any) -> None:
    case = open_case(client, hefei.headers, make_talent(db)).json()
    response = client.patch(
        case_url(client, "case_update", case["id"]),
        json={"measures": "申请稳岗补贴并安排技能提升培训"},
        headers=hefei.headers,
    )
    assert response.status_code == 200
    assert response.json()["measures"] == "申请稳岗补贴并安排技能提升培训"
    assert response.json()["situation"] == case["situation"]


def test_empty_update_is_refused(client: TestClient, db: Session, hefei: Any) -> None:
    case = open_case(client, hefei.headers, make_talent(db)).json()
    response = client.patch(
        case_url(client, "case_update", case["id"]), json={}, headers=hefei.headers
    )
    assert response.status_code == 422


def test_second_open_case_for_one_talent_is_refused(
    client: TestClient, db: Session, hefei: Any
) -> None:
    talent = make_talent(db)
    assert open_case(client, hefei.headers, talent).status_code == 201
    again = open_case(client, hefei.headers, talent)
    assert again.status_code == 422
    assert again.json()["code"] == "open_case_exists"


def test_a_retired_talent_gets_no_new_case(client: TestClient, db: Session, hefei: Any) -> None:
    talent = make_talent(db)
    talent.status = "retired"
    db.commit()
    response = open_case(client, hefei.headers, talent)
    assert response.status_code == 422
    assert response.json()["code"] == "talent_not_filed"
    assert "已退出人才库" in response.json()["detail"]


def test_city_cannot_open_a_case_for_another_citys_talent(
    client: TestClient, db: Session, hefei: Any
) -> None:
    assert open_case(client, hefei.headers, make_talent(db, city_code=WUHU)).status_code == 404


def test_case_is_walled_to_its_city_and_the_province(
    client: TestClient, db: Session, hefei: Any, user: Callable[..., Any]
) -> None:
    case = open_case(client, hefei.headers, make_talent(db)).json()
    url = case_url(client, "case_get", case["id"])
    wuhu, province, auditor = user("city_operator", WUHU), user("province_admin"), user("auditor")
    assert client.get(url, headers=wuhu.headers).status_code == 404
    assert (
        client.patch(
            case_url(client, "case_update", case["id"]),
            json={"measures": "x"},
            headers=wuhu.headers,
        ).status_code
        == 404
    )
    assert client.get(url, headers=province.headers).status_code == 200
    assert client.get(url, headers=auditor.headers).status_code == 200
    assert client.get(url, headers=user("window_clerk").headers).status_code == 403
    listed = client.get(client.app.url_path_for("case_list"), headers=wuhu.headers).json()
    assert case["id"] not in [c["id"] for c in listed["items"]]


def test_province_summary_counts_open_cases_by_city_with_days_open(
    client: TestClient, db: Session, hefei: Any, user: Callable[..., Any]
) -> None:
    province = user("province_admin")
    before = client.get(client.app.url_path_for("case_overview"), headers=province.headers).json()
    first = open_case(client, hefei.headers, make_talent(db)).json()
    open_case(client, hefei.headers, make_talent(db))
    closed = open_case(client, hefei.headers, make_talent(db)).json()
    client.post(
        case_url(client, "case_close", closed["id"]),
        json={"result": "已稳定"},
        headers=hefei.headers,
    )
    # The first case was opened 40 days ago.
    db.execute(
        update(AssistanceCase)
        .where(AssistanceCase.id == uuid.UUID(first["id"]))
        .values(opened_on=local_today() - timedelta(days=40))
    )
    db.commit()
    after = client.get(client.app.url_path_for("case_overview"), headers=province.headers).json()
    hefei_before = next(c for c in before["cities"] if c["city_code"] == HEFEI)
    hefei_after = next(c for c in after["cities"] if c["city_code"] == HEFEI)
    assert len(after["cities"]) == 16
    assert hefei_after["city_name"] == "合肥市"
    assert hefei_after["open_cases"] == hefei_before["open_cases"] + 2
    assert hefei_after["longest_days_open"] >= 40
    assert after["open_cases"] == before["open_cases"] + 2
    listed = client.get(
        client.app.url_path_for("case_list"),
        params={"status": "open", "city_code": HEFEI},
        headers=province.headers,
    ).json()
    assert listed["items"][0]["days_open"] >= 40
    assert (
        client.get(client.app.url_path_for("case_overview"), headers=hefei.headers).status_code
        == 403
    )


def test_every_write_is_an_audit_event(client: TestClient, db: Session, hefei: Any) -> None:
    case = open_case(client, hefei.headers, make_talent(db, dependents=("spouse",))).json()
    client.patch(
        case_url(client, "case_update", case["id"]),
        json={"situation": "更新"},
        headers=hefei.headers,
    )
    client.post(
        case_url(client, "case_service_add", case["id"]),
        json={
            "dependent_id": case["dependents"][0]["id"],
            "kind": "job_referral",
            "service_date": local_today().isoformat(),
            "outcome": "推荐岗位",
        },
        headers=hefei.headers,
    )
    client.post(
        case_url(client, "case_close", case["id"]),
        json={"result": "结案"},
        headers=hefei.headers,
    )
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target == f"assistance_case:{case['id']}")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == [
        "assistance.case.open",
        "assistance.case.update",
        "assistance.service.add",
        "assistance.case.close",
    ]


def test_list_is_paginated(client: TestClient, db: Session, hefei: Any) -> None:
    for _ in range(3):
        open_case(client, hefei.headers, make_talent(db))
    page = client.get(
        client.app.url_path_for("case_list"),
        params={"page_size": 2},
        headers=hefei.headers,
    ).json()
    assert page["total"] >= 3
    assert len(page["items"]) == 2
