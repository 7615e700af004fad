"""The lists the province extends (the notice's 等): a new service works end to end, codes
never change once added, and what a release seeds stays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.reference import ReferenceCode, sync_reference_data
from app.pages.session import SESSION_COOKIE
from tests.conftest import Login
from tests.lookup.factories import make_talent
from tests.lookup.test_lookup import lookup

ELDERLY_CARE = {"code": "elderly_care", "name_zh": "养老服务", "name_en": "Elderly care"}


def add(client: TestClient, province: Login, kind: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/reference/{kind}", json=body, headers=province.headers)


def new_partner(client: TestClient, province: Login, scopes: list[str]) -> dict[str, str]:
    created = client.post(
        "/api/v1/admin/partners",
        json={"name": "省民政厅养老服务系统", "agency": "省民政厅", "scopes": scopes},
        headers=province.headers,
    )
    assert created.status_code == 201, created.text
    key = client.post(
        f"/api/v1/admin/partners/{created.json()['id']}/keys", json={}, headers=province.headers
    )
    assert key.status_code == 201, key.text
    return {"Authorization": f"Bearer {key.json()['key']}"}


def test_a_new_service_added_through_the_api_is_looked_up_successfully_by_a_partner(
    client: TestClient, db: Session, province: Login
) -> None:
    assert add(client, province, "services", ELDERLY_CARE).status_code == 201
    partner = new_partner(client, province, ["priority:elderly_care"])
    holder = make_talent(db, dependents=("child",))

    answer = lookup(client, partner, id_number=holder.id_number, service="elderly_care")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["priority"], body["service"], body["basis"]) == (True, "elderly_care", "holder")
    assert body["marker"]["code"] == holder.marker_code
    # A service the province adds is the holder's own: a dependent gets nothing through it.
    child = lookup(
        client, partner, id_number=holder.dependents[0].id_number, service="elderly_care"
    )
    assert (child.json()["priority"], child.json()["basis"]) == (False, None)
    # The partner's scope is that service alone.
    other = lookup(client, partner, id_number=holder.id_number, service="housing")
    assert other.status_code == 403


def test_a_new_service_is_listed_and_shown_on_the_pages(
    client: TestClient, db: Session, province: Login, login: Callable[..., Login]
) -> None:
    add(client, province, "services", ELDERLY_CARE)

    listed = client.get("/api/v1/reference/services").json()
    assert [item["code"] for item in listed][-1] == "elderly_care"
    clerk = login("window_clerk")
    db.commit()
    client.cookies.set(SESSION_COOKIE, clerk.headers["Authorization"].removeprefix("Bearer "))
    counter = client.get("/counter")
    assert '<option value="elderly_care">养老服务</option>' in counter.text
    client.cookies.set(SESSION_COOKIE, province.headers["Authorization"].removeprefix("Bearer "))
    partners_page = client.get("/partners")
    assert 'value="priority:elderly_care"' in partners_page.text
    reference_page = client.get("/province/reference")
    assert reference_page.status_code == 200
    assert "养老服务" in reference_page.text and "elderly_care" in reference_page.text


def test_a_window_clerk_looks_up_a_new_service_and_an_unknown_one_is_422(
    client: TestClient, db: Session, province: Login, login: Callable[..., Login]
) -> None:
    clerk = login("window_clerk").headers
    db.commit()
    holder = make_talent(db)
    unknown = lookup(client, clerk, id_number=holder.id_number, service="elderly_care")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["code"] == "invalid_service"

    add(client, province, "services", ELDERLY_CARE)

    known = lookup(client, clerk, id_number=holder.id_number, service="elderly_care")
    assert known.status_code == 200 and known.json()["priority"] is True


def test_a_code_never_changes_and_is_deactivated_not_deleted(
    client: TestClient, db: Session, province: Login
) -> None:
    add(client, province, "services", ELDERLY_CARE)
    partner = new_partner(client, province, ["priority:elderly_care"])
    holder = make_talent(db)

    again = add(client, province, "services", {**ELDERLY_CARE, "name_zh": "养老"})
    assert again.status_code == 409
    renamed = client.patch(
        "/api/v1/reference/services/elderly_care",
        json={"name_zh": "养老照护"},
        headers=province.headers,
    )
    assert renamed.status_code == 200 and renamed.json()["code"] == "elderly_care"
    recoded = client.patch(
        "/api/v1/reference/services/elderly_care", json={"code": "x"}, headers=province.headers
    )
    assert recoded.status_code == 422
    deleted = client.delete("/api/v1/reference/services/elderly_care", headers=province.headers)
    assert deleted.status_code == 405
    off = client.patch(
        "/api/v1/reference/services/elderly_care", json={"active": False}, headers=province.headers
    )
    assert off.json()["active"] is False

    refused = lookup(client, partner, id_number=holder.id_number, service="elderly_care")
    assert refused.status_code == 422
    listed = client.get("/api/v1/reference/services", params={"include_inactive": True}).json()
    assert {"code": "elderly_care", "name_zh": "养老照护", "active": False}.items() <= {
        **next(item for item in listed if item["code"] == "elderly_care")
    }.items()
    assert "elderly_care" not in [
        i["code"] for i in client.get("/api/v1/reference/services").json()
    ]


def test_only_a_province_admin_extends_the_lists(
    client: TestClient, db: Session, login: Callable[..., Login]
) -> None:
    operator = login("city_operator", "340100")
    db.commit()

    response = client.post(
        "/api/v1/reference/services", json=ELDERLY_CARE, headers=operator.headers
    )

    assert response.status_code == 403
    fixed = client.post("/api/v1/reference/cities", json=ELDERLY_CARE, headers={})
    assert fixed.status_code in (401, 422)


def test_province_rows_and_renames_survive_a_release_and_seeded_rows_stay(
    client: TestClient, db: Session, province: Login
) -> None:
    add(
        client,
        province,
        "exit-reasons",
        {"code": "emigrated", "name_zh": "出国定居", "name_en": "Emigrated"},
    )
    client.patch(
        "/api/v1/reference/services/housing",
        json={"name_zh": "购房（含租房）"},
        headers=province.headers,
    )

    sync_reference_data(db)

    assert db.get(ReferenceCode, ("exit-reasons", "emigrated")) is not None
    housing = db.get(ReferenceCode, ("services", "housing"))
    assert housing is not None and housing.name_zh == "购房（含租房）"
    codes = {item["code"] for item in client.get("/api/v1/reference/exit-reasons").json()}
    assert {
        "retirement",
        "left_frontline",
        "misconduct",
        "death",
        "moved_out_of_province",
        "other",
    } < codes


def test_a_studio_programme_names_its_owning_unit_and_a_recognition_list_its_year(
    client: TestClient, province: Login
) -> None:
    no_unit = add(
        client,
        province,
        "studio-programmes",
        {"code": "youth_studio", "name_zh": "青年技能人才工作室", "name_en": "Youth studio"},
    )
    assert no_unit.status_code == 422
    studio = add(
        client,
        province,
        "studio-programmes",
        {
            "code": "youth_studio",
            "name_zh": "青年技能人才工作室",
            "name_en": "Youth studio",
            "owner_unit": "共青团安徽省委",
        },
    )
    assert studio.status_code == 201 and studio.json()["owner_unit"] == "共青团安徽省委"
    recognition = {
        "code": "ah_high_end_2026",
        "name_zh": "安徽省高精尖缺技能人才认定名单（2026 年）",
        "name_en": "Anhui high-end and scarce skilled talent list (2026)",
        "parent_code": "provincial_hpcs",
        "year": 2026,
    }
    assert add(client, province, "recognition-lists", recognition).status_code == 201
    wrong = add(
        client,
        province,
        "recognition-lists",
        {**recognition, "code": "x_2026", "name_zh": "某名单", "parent_code": "nothing"},
    )
    assert wrong.status_code == 422


def test_a_revocation_takes_an_exit_reason_from_the_list(
    client: TestClient, db: Session, province: Login
) -> None:
    holder = make_talent(db)
    db.commit()  # kept when a refused request rolls its own work back
    url = client.app.url_path_for("marker_revoke", talent_id=str(holder.talent_id))  # type: ignore[attr-defined]

    missing = client.post(url, json={"reason": "查实弄虚作假"}, headers=province.headers)
    unknown = client.post(
        url, json={"reason": "查实弄虚作假", "exit_reason": "fraud"}, headers=province.headers
    )
    done = client.post(
        url, json={"reason": "查实弄虚作假", "exit_reason": "misconduct"}, headers=province.headers
    )

    assert missing.status_code == 422
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["code"] == "invalid_exit_reason"
    assert done.status_code == 200, done.text
    assert done.json()["marker"]["reason"] == "违法违纪：查实弄虚作假"


def test_an_exit_reason_the_province_added_is_taken_by_a_city_file(
    client: TestClient, db: Session, province: Login, login: Callable[..., Login], tmp_path: Any
) -> None:
    from tests.filing.api import upload
    from tests.filing.writers import retire, write_json

    holder = make_talent(db)
    city = login("city_operator", "340100")
    db.commit()
    path = write_json(tmp_path / "r.json", [retire(holder.id_number, "出国定居")])
    refused = upload(client, city.headers, path).json()
    assert refused["status"] == "invalid"

    add(
        client,
        province,
        "exit-reasons",
        {"code": "emigrated", "name_zh": "出国定居", "name_en": "Emigrated"},
    )
    taken = upload(
        client,
        city.headers,
        write_json(tmp_path / "r2.json", [retire(holder.id_number, "出国定居")]),
    )

    assert taken.json()["status"] == "validated", taken.text
