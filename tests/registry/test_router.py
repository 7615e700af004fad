"""The registry's admin API over real HTTP: list, detail, city wall, history, PATCH, markers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.registry.models import Talent
from tests.registry.factories import HEFEI, WUHU, file, talent_data, with_condition

Login = Callable[..., Any]


def _url(client: TestClient, name: str, **params: Any) -> str:
    return str(client.app.url_path_for(name, **{k: str(v) for k, v in params.items()}))  # type: ignore[attr-defined]


@pytest.fixture
def admin(login: Login, db: Session) -> dict[str, str]:
    headers: dict[str, str] = login("province_admin").headers
    db.commit()  # a refused request rolls back whatever was not committed
    return headers


def test_detail_shows_masked_ids_no_birth_date_and_the_explanation(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = talent_data()
    talent = file(db, data)
    response = client.get(_url(client, "talent_get", talent_id=talent.id), headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["etag"] == f'"{talent.version}"'
    assert body["id_number_masked"] == data.id_number[:6] + "*" * 10 + data.id_number[-2:]
    assert data.id_number[6:14] not in response.text  # the birth date, in no form
    for dependent in data.dependents:
        assert dependent.id_number not in response.text
    assert body["gender"] in ("M", "F") and body["age_band"].endswith("9")
    assert body["eligibility"]["eligible"] is True
    assert body["eligibility"]["summary_zh"].startswith("符合")
    assert {c["code"] for c in body["eligibility"]["conditions"]} == {
        "contribution",
        "skill_performance",
        "frontline",
    }
    assert body["marker"]["status"] == "active"
    assert body["city_name"] == "合肥市"
    assert [c["note"] for c in body["conditions"]] == [
        data.conditions[code][1] for code in ("contribution", "skill_performance", "frontline")
    ]


def test_city_operator_reads_own_city_and_gets_404_for_another(
    client: TestClient, db: Session, login: Login
) -> None:
    own = file(db, talent_data(), city_code=HEFEI)
    other = file(db, talent_data(city_code=WUHU), city_code=WUHU)
    hefei = login("city_operator", city_code=HEFEI).headers
    assert (
        client.get(_url(client, "talent_get", talent_id=own.id), headers=hefei).status_code == 200
    )
    for name in ("talent_get", "talent_history"):
        response = client.get(_url(client, name, talent_id=other.id), headers=hefei)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    listed = client.get(_url(client, "talent_list"), headers=hefei, params={"limit": 200}).json()
    cities = {item["city_code"] for item in listed["items"]}
    assert cities == {HEFEI}


@pytest.mark.parametrize(("role", "status"), [("window_clerk", 403), ("auditor", 200)])
def test_who_may_read_the_registry(
    client: TestClient, db: Session, login: Login, role: str, status: int
) -> None:
    talent = file(db, talent_data())
    response = client.get(
        _url(client, "talent_get", talent_id=talent.id), headers=login(role).headers
    )
    assert response.status_code == status


def test_unknown_talent_is_404(client: TestClient, admin: dict[str, str]) -> None:
    url = _url(client, "talent_get", talent_id="00000000-0000-0000-0000-000000000000")
    assert client.get(url, headers=admin).status_code == 404


def test_list_filters_and_pages_with_an_opaque_cursor(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    names = ["测试甲", "测试乙", "测试丙", "测试丁", "测试戊"]
    for name in names:
        file(db, talent_data(name=name))
    file(db, talent_data(name="测试己", honors=()))  # no marker
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"name": "测试", "limit": 2, "marker_status": "active"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(_url(client, "talent_list"), headers=admin, params=params).json()
        seen += [item["name"] for item in page["items"]]
        assert len(page["items"]) <= 2
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(names) and len(seen) == len(set(seen))
    none = client.get(
        _url(client, "talent_list"),
        headers=admin,
        params={"name": "测试", "marker_status": "none"},
    ).json()
    assert [item["name"] for item in none["items"]] == ["测试己"]


def test_list_filters_by_category_and_city(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = talent_data(city_code=WUHU, name="类别测试")
    honors = (dataclasses.replace(data.honors[0], category="china_skills_award"),)
    file(db, dataclasses.replace(data, honors=honors), city_code=WUHU)
    params = {"category": "china_skills_award", "city_code": WUHU, "name": "类别测试"}
    page = client.get(_url(client, "talent_list"), headers=admin, params=params).json()
    assert [item["name"] for item in page["items"]] == ["类别测试"]
    assert page["items"][0]["categories"] == ["china_skills_award"]
    params["city_code"] = HEFEI
    assert client.get(_url(client, "talent_list"), headers=admin, params=params).json() == {
        "items": [],
        "next_cursor": None,
    }


def test_bad_cursor_and_limit_are_422(client: TestClient, admin: dict[str, str]) -> None:
    url = _url(client, "talent_list")
    bad = client.get(url, headers=admin, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"
    assert client.get(url, headers=admin, params={"limit": 201}).status_code == 422


def test_patch_needs_if_match(client: TestClient, db: Session, admin: dict[str, str]) -> None:
    talent = file(db, talent_data())
    url = _url(client, "talent_update", talent_id=talent.id)
    missing = client.patch(url, headers=admin, json={"employer": "新单位"})
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    stale = client.patch(url, headers={**admin, "If-Match": '"999"'}, json={"employer": "新单位"})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"


def test_patch_with_the_current_etag_updates_and_re_decides(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    talent = file(db, talent_data())
    detail = client.get(_url(client, "talent_get", talent_id=talent.id), headers=admin)
    url = _url(client, "talent_update", talent_id=talent.id)
    edit = {"employer": "新单位", "conditions": {"frontline": {"met": False, "note": "已调离"}}}
    response = client.patch(url, headers={**admin, "If-Match": detail.headers["etag"]}, json=edit)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["employer"] == "新单位"
    assert body["eligibility"]["eligible"] is False
    assert body["marker"]["status"] == "revoked"
    assert response.headers["etag"] != detail.headers["etag"]
    again = client.patch(url, headers={**admin, "If-Match": detail.headers["etag"]}, json=edit)
    assert again.status_code == 412
    history = client.get(_url(client, "talent_history", talent_id=talent.id), headers=admin)
    latest = history.json()["items"][0]
    assert latest["source"] == "admin" and latest["action"] == "update"
    assert latest["changes"]["employer"][1] == "新单位"
    assert latest["changes"]["marker.status"] == ["active", "revoked"]


def test_patch_keeps_and_adds_dependents_without_showing_numbers(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = talent_data()
    talent = file(db, data)
    detail = client.get(_url(client, "talent_get", talent_id=talent.id), headers=admin)
    kept = [
        {"id": d["id"], "relation": d["relation"], "name": d["name"]}
        for d in detail.json()["dependents"]
    ]
    new = {"relation": "child", "name": "新子女", "id_number": "34010220100101009x"}
    response = client.patch(
        _url(client, "talent_update", talent_id=talent.id),
        headers={**admin, "If-Match": detail.headers["etag"]},
        json={"dependents": [*kept, new]},
    )
    assert response.status_code == 200, response.text
    dependents = response.json()["dependents"]
    assert len(dependents) == len(kept) + 1
    assert dependents[-1]["id_number_masked"] == "340102**********9X"
    assert "34010220100101009" not in response.text


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (
            {
                "dependents": [
                    {"relation": "child", "name": "甲", "id_number": "340102201001010021"}
                ]
            },
            "invalid_id_number",
        ),
        ({"employer_uscc": "91340100MA2N0XXXX1"}, "invalid_uscc"),
        ({"id_number": "34010219800101001X"}, "unknown_field"),
        ({"name": None}, "required"),
    ],
)
def test_patch_rejects_bad_input(
    client: TestClient, db: Session, admin: dict[str, str], edit: dict[str, Any], code: str
) -> None:
    talent = file(db, talent_data())
    response = client.patch(
        _url(client, "talent_update", talent_id=talent.id),
        headers={**admin, "If-Match": f'"{talent.version}"'},
        json=edit,
    )
    assert response.status_code == 422
    assert code in {e["code"] for e in response.json()["errors"]}
    assert "34010219800101001X" not in response.text


def test_city_operator_cannot_patch(client: TestClient, db: Session, login: Login) -> None:
    talent = file(db, talent_data())
    response = client.patch(
        _url(client, "talent_update", talent_id=talent.id),
        headers={**login("city_operator", city_code=HEFEI).headers, "If-Match": '"1"'},
        json={"employer": "新单位"},
    )
    assert response.status_code == 403


def test_marker_actions_suspend_reinstate_revoke(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    talent = file(db, talent_data())

    def act(action: str, reason: str = "核查") -> Any:
        return client.post(
            _url(client, f"marker_{action}", talent_id=talent.id),
            headers=admin,
            json={
                "reason": reason,
                **({"exit_reason": "misconduct"} if action == "revoke" else {}),
            },
        )

    assert act("suspend").json()["marker"]["status"] == "suspended"
    assert act("suspend").status_code == 409
    assert act("reinstate").json()["marker"]["status"] == "active"
    assert act("reinstate").json()["code"] == "marker_already_active"
    revoked = act("revoke", "材料不实")
    assert revoked.json()["marker"] == revoked.json()["marker"] | {
        "status": "revoked",
        "reason": "违法违纪：材料不实",
    }
    assert act("revoke").json()["code"] == "marker_already_revoked"
    assert act("reinstate", "复核通过").json()["marker"]["status"] == "active"
    history = client.get(_url(client, "talent_history", talent_id=talent.id), headers=admin)
    actions = [item["action"] for item in history.json()["items"]]
    assert actions[:4] == [
        "marker.reinstate",
        "marker.revoke",
        "marker.reinstate",
        "marker.suspend",
    ]


def test_marker_action_refuses_id_numbers_in_the_reason_and_ineligible_reinstatement(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = talent_data()
    talent: Talent = file(db, data)
    url = _url(client, "marker_suspend", talent_id=talent.id)
    response = client.post(url, headers=admin, json={"reason": f"身份证 {data.id_number}"})
    assert response.status_code == 422 and data.id_number not in response.text
    file(db, with_condition(data, "contribution", False, None))
    reinstate = client.post(
        _url(client, "marker_reinstate", talent_id=talent.id), headers=admin, json={"reason": "x"}
    )
    assert reinstate.status_code == 409 and reinstate.json()["code"] == "not_eligible"
    no_marker = file(db, talent_data(honors=()))
    response = client.post(
        _url(client, "marker_revoke", talent_id=no_marker.id),
        headers=admin,
        json={"reason": "x", "exit_reason": "other"},
    )
    assert response.status_code == 409 and response.json()["code"] == "no_marker"
