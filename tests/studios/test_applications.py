"""Direct project reporting through the API: entry, refusals, the province's decisions,
the city wall and the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.registry.markers import local_today
from app.registry.models import Talent
from tests.duties_factories import HEFEI, WUHU, make_talent, valid_uscc


def application_body(talent: Talent, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "talent_id": str(talent.id),
        "project_type": "skill_master_studio",
        "title": f"{talent.name}技能大师工作室",
        "host_employer": talent.employer,
        "host_uscc": valid_uscc(),
        "plan_summary": "三年内带徒20名，攻关数控加工工艺难题5项。",
        "attachments": [{"name": "申报表.pdf", "description": "盖章扫描件"}, {"name": "业绩证明"}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def hefei(login: Callable[..., Any], db: Session) -> Any:
    user = login("city_operator", HEFEI)
    db.commit()  # a refused request rolls back whatever was not committed
    return user


def submit(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    url = client.app.url_path_for("application_create")
    return client.post(url, json=body, headers=headers)


def act(
    client: TestClient, headers: dict[str, str], app_id: str, action: str, body: Any = None
) -> Any:
    url = client.app.url_path_for(f"application_{action}", application_id=app_id)
    return client.post(url, json=body if body is not None else {}, headers=headers)


def test_city_operator_submits_straight_into_the_province_queue(
    client: TestClient, db: Session, hefei: Any, province: Any
) -> None:
    talent = make_talent(db)
    response = submit(client, hefei.headers, application_body(talent))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert body["status_name"] == "已报送，待受理"
    assert body["city_code"] == HEFEI
    assert body["project_type_name"] == "技能大师工作室"
    assert [a["name"] for a in body["attachments"]] == ["申报表.pdf", "业绩证明"]
    queue = client.get(
        client.app.url_path_for("application_list"),
        params={"status": "submitted"},
        headers=province.headers,
    ).json()
    assert body["id"] in [item["id"] for item in queue["items"]]


def test_window_clerk_enters_an_application_for_any_city(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, city_code=WUHU)
    response = submit(client, login("window_clerk").headers, application_body(talent))
    assert response.status_code == 201, response.text
    assert response.json()["city_code"] == WUHU


@pytest.mark.parametrize("marker", [None, "suspended", "revoked", "expired"])
def test_applicant_without_an_active_marker_is_refused(
    client: TestClient, db: Session, hefei: Any, marker: str | None
) -> None:
    talent = make_talent(db, marker=marker)
    response = submit(client, hefei.headers, application_body(talent))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "marker_not_active"
    assert "特殊标识" in body["detail"]
    assert body["errors"][0]["field"] == "talent_id"


def test_second_open_application_of_the_same_type_is_refused(
    client: TestClient, db: Session, hefei: Any
) -> None:
    talent = make_talent(db)
    assert submit(client, hefei.headers, application_body(talent)).status_code == 201
    again = submit(client, hefei.headers, application_body(talent, title="另一个工作室"))
    assert again.status_code == 422
    assert again.json()["code"] == "open_application_exists"
    assert "技能大师工作室" in again.json()["detail"]
    other_type = application_body(talent, project_type="craftsman_innovation_studio")
    assert submit(client, hefei.headers, other_type).status_code == 201


def test_a_decided_application_no_longer_blocks_a_new_one(
    client: TestClient, db: Session, hefei: Any, province: Any
) -> None:
    talent = make_talent(db)
    first = submit(client, hefei.headers, application_body(talent)).json()
    assert (
        act(client, province.headers, first["id"], "reject", {"reason": "材料不全"}).status_code
        == 200
    )
    assert submit(client, hefei.headers, application_body(talent)).status_code == 201


def test_invalid_host_credit_code_is_refused_with_its_reason(
    client: TestClient, db: Session, hefei: Any
) -> None:
    talent = make_talent(db)
    response = submit(
        client, hefei.headers, application_body(talent, host_uscc="91340100ABCDEFGHIJ")
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_uscc"
    assert body["errors"][0]["field"] == "host_uscc"
    assert "统一社会信用代码" in body["errors"][0]["message"]


def test_missing_title_is_422_problem_json(client: TestClient, db: Session, hefei: Any) -> None:
    talent = make_talent(db)
    response = submit(client, hefei.headers, application_body(talent, title=""))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "title"


def test_city_operator_cannot_apply_for_another_citys_talent(
    client: TestClient, db: Session, hefei: Any
) -> None:
    talent = make_talent(db, city_code=WUHU)
    response = submit(client, hefei.headers, application_body(talent))
    assert response.status_code == 404


def test_province_accepts_then_approves_and_a_studio_is_established(
    client: TestClient, db: Session, hefei: Any, province: Any
) -> None:
    talent = make_talent(db)
    app_id = submit(client, hefei.headers, application_body(talent)).json()["id"]
    accepted = act(client, province.headers, app_id, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "in_review"
    year = local_today().year
    approved = act(client, province.headers, app_id, "approve", {"batch_year": year})
    assert approved.status_code == 200, approved.text
    studio = approved.json()["studio"]
    assert approved.json()["status"] == "approved"
    assert studio["batch_year"] == year
    assert studio["talent_id"] == str(talent.id)
    assert studio["name"] == f"{talent.name}技能大师工作室"
    assert studio["project_type"] == "skill_master_studio"
    url = client.app.url_path_for("talent_studios", talent_id=str(talent.id))
    seen_by_city = client.get(url, headers=hefei.headers).json()
    assert [s["id"] for s in seen_by_city] == [studio["id"]]
    batch = client.get(
        client.app.url_path_for("studio_list"),
        params={"batch_year": year},
        headers=province.headers,
    ).json()
    assert studio["id"] in [s["id"] for s in batch["items"]]


def test_approval_without_a_year_goes_into_this_years_batch(
    client: TestClient, db: Session, hefei: Any, province: Any
) -> None:
    app_id = submit(client, hefei.headers, application_body(make_talent(db))).json()["id"]
    act(client, province.headers, app_id, "accept")
    approved = act(client, province.headers, app_id, "approve")
    assert approved.json()["studio"]["batch_year"] == local_today().year


@pytest.mark.parametrize("year", [2017, 2999])
def test_batch_year_outside_the_notices_years_is_refused(
    client: TestClient, db: Session, hefei: Any, province: Any, year: int
) -> None:
    app_id = submit(client, hefei.headers, application_body(make_talent(db))).json()["id"]
    act(client, province.headers, app_id, "accept")
    response = act(client, province.headers, app_id, "approve", {"batch_year": year})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_batch_year"


def test_rejection_keeps_the_reason_for_the_city(
    client: TestClient, db: Session, hefei: Any, province: Any
) -> None:
    app_id = submit(client, hefei.headers, application_body(make_talent(db))).json()["id"]
    act(client, province.headers, app_id, "accept")
    rejected = act(client, province.headers, app_id, "reject", {"reason": "带徒计划不具体"})
    assert rejected.status_code == 200
    url = client.app.url_path_for("application_get", application_id=app_id)
    seen = client.get(url, headers=hefei.headers).json()
    assert seen["status"] == "rejected"
    assert seen["status_name"] == "未批准"
    assert seen["reject_reason"] == "带徒计划不具体"
    assert seen["studio"] is None


# (steps taken first, the refused action)
TRANSITIONS_REFUSED = [
    ((), "approve"),
    (("accept",), "accept"),
    (("accept", "approve"), "reject"),
    (("accept", "approve"), "approve"),
    (("reject",), "accept"),
    (("reject",), "reject"),
]


@pytest.mark.parametrize(("steps", "refused"), TRANSITIONS_REFUSED)
def test_other_transitions_are_409(
    client: TestClient,
    db: Session,
    hefei: Any,
    province: Any,
    steps: tuple[str, ...],
    refused: str,
) -> None:
    app_id = submit(client, hefei.headers, application_body(make_talent(db))).json()["id"]
    for step in steps:
        body = {"reason": "不符合条件"} if step == "reject" else {}
        assert act(client, province.headers, app_id, step, body).status_code == 200
    body = {"reason": "再次"} if refused == "reject" else {}
    response = act(client, province.headers, app_id, refused, body)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_another_city_sees_neither_the_application_nor_the_studios(
    client: TestClient, db: Session, hefei: Any, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    app_id = submit(client, hefei.headers, application_body(talent)).json()["id"]
    wuhu = login("city_operator", WUHU)
    db.commit()
    url = client.app.url_path_for("application_get", application_id=app_id)
    assert client.get(url, headers=wuhu.headers).status_code == 404
    studios = client.app.url_path_for("talent_studios", talent_id=str(talent.id))
    assert client.get(studios, headers=wuhu.headers).status_code == 404
    listed = client.get(
        client.app.url_path_for("application_list"),
        headers=wuhu.headers,
    ).json()
    assert app_id not in [item["id"] for item in listed["items"]]
    assert all(item["city_code"] == WUHU for item in listed["items"])


def test_list_is_paginated(client: TestClient, db: Session, hefei: Any) -> None:
    for _ in range(3):
        submit(client, hefei.headers, application_body(make_talent(db)))
    url = client.app.url_path_for("application_list")
    page = client.get(url, params={"page": 2, "page_size": 2}, headers=hefei.headers).json()
    assert page["total"] >= 3
    assert page["page"] == 2
    assert page["page_size"] == 2
    assert 1 <= len(page["items"]) <= 2


def test_every_write_is_an_audit_event(
    client: TestClient, db: Session, hefei: Any, province: Any
) -> None:
    app_id = submit(client, hefei.headers, application_body(make_talent(db))).json()["id"]
    act(client, province.headers, app_id, "accept")
    act(client, province.headers, app_id, "approve")
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target == f"studio_application:{app_id}")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == [
        "studio.application.submit",
        "studio.application.accept",
        "studio.application.approve",
    ]


@pytest.mark.parametrize("marker", [None, "suspended"])
def test_a_window_clerk_is_told_of_an_inactive_marker_only_as_of_anyone_unknown(
    client: TestClient, db: Session, login: Callable[..., Any], marker: str | None
) -> None:
    clerk = login("window_clerk")
    talent = make_talent(db, marker=marker)
    nobody = {**application_body(talent), "talent_id": str(uuid.uuid4())}

    known, unknown = (
        submit(client, clerk.headers, application_body(talent)),
        submit(client, clerk.headers, nobody),
    )

    assert known.status_code == unknown.status_code == 404
    assert known.json() == unknown.json()
