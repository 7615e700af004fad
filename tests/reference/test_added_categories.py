"""Categories and relations the province adds work end to end: a city file takes them,
eligibility judges an added category as it does the six, a dependent of an added relation
gets no dependent service, and every page, export and API names them."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.demo.fakes import fake_id_number
from app.filing.templates import LEGEND_SHEET
from app.pages.session import SESSION_COOKIE
from app.registry.markers import local_today
from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, call, submit_and_approve, talent, upload
from tests.filing.writers import Record, people, write_csv
from tests.lookup.test_lookup import lookup

YOUTH_STAR = {
    "code": "youth_skill_star",
    "name_zh": "安徽青年技能之星",
    "name_en": "Anhui Youth Skill Star",
    "short_name_zh": "青年技能之星",
}
GRANDCHILD = {"code": "grandchild", "name_zh": "孙子女", "name_en": "Grandchild"}
_rng = random.Random(20261124)


@pytest.fixture
def city(login: Callable[..., Login], db: Session) -> Login:
    who = login("city_operator", HOLDER_CITY)
    db.commit()
    return who


def add(client: TestClient, province: Login, kind: str, body: dict[str, Any]) -> None:
    added = client.post(f"/api/v1/reference/{kind}", json=body, headers=province.headers)
    assert added.status_code == 201, added.text


def deactivate(client: TestClient, province: Login, kind: str, code: str) -> None:
    off = client.patch(
        f"/api/v1/reference/{kind}/{code}", json={"active": False}, headers=province.headers
    )
    assert off.status_code == 200, off.text


def person(
    seed: int,
    *,
    category: str = "national_model_worker",
    frontline: bool = True,
    dependents: tuple[tuple[str, str], ...] = (),
) -> Record:
    """An eligible person of the holder city with one honour in `category`; `frontline`
    False leaves one condition unmet; dependents as (relation, ID number)."""
    (record,) = people(seed, 1, city_code=HOLDER_CITY)
    record["honors"] = [
        {
            "category": category,
            "title": "荣誉称号",
            "conferred_by": "共青团安徽省委、安徽省人力资源和社会保障厅",
            "year": 2024,
            "certificate_no": "QN2024-0007",
        }
    ]
    record["conditions"]["frontline"]["met"] = frontline
    record["dependents"] = [
        {"relation": relation, "id_number": number, "name": f"家属{i}"}
        for i, (relation, number) in enumerate(dependents)
    ]
    return record


def school_age_id() -> str:
    year = local_today().year - 10
    return fake_id_number(_rng, city_code=HOLDER_CITY, birth_year_range=(year, year))


def filed(
    client: TestClient, city: Login, province: Login, path: Path, records: list[Record]
) -> dict[str, Any]:
    """Upload `records` as a city's CSV (Chinese words where a clerk writes them), check it
    validates, then submit and approve it; the submission as uploaded."""
    response = upload(client, city.headers, write_csv(path, records))
    assert response.status_code == 201, response.text
    submission: dict[str, Any] = response.json()
    assert submission["status"] == "validated", client.get(
        f"/api/v1/submissions/{submission['id']}/report", headers=city.headers
    ).text
    submit_and_approve(client, city, province, submission["id"])
    return submission


def detail(client: TestClient, headers: dict[str, str], db: Session, id_number: str) -> Any:
    record = talent(db, id_number)
    assert record is not None
    response = client.get(f"/api/v1/talents/{record.id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def as_page_user(client: TestClient, who: Login) -> None:
    client.cookies.set(SESSION_COOKIE, who.headers["Authorization"].removeprefix("Bearer "))


def test_a_category_the_province_added_is_filed_and_judged_as_the_six(
    client: TestClient, db: Session, province: Login, city: Login, tmp_path: Path
) -> None:
    add(client, province, "categories", YOUTH_STAR)
    # One by its short name (a clerk's word), one by its code, with a condition unmet.
    meets = person(1, category="青年技能之星")
    falls_short = person(2, category="youth_skill_star", frontline=False)
    response = upload(client, city.headers, write_csv(tmp_path / "f.csv", [meets, falls_short]))
    submission = response.json()
    assert submission["status"] == "validated", response.text
    preview = call(client, "GET", "submission_preview", city.headers, submission["id"]).json()
    assert [row["eligible_after"] for row in preview["items"]] == [True, False]

    submit_and_approve(client, city, province, submission["id"])

    eligible = talent(db, meets["id_number"])
    assert eligible is not None and eligible.eligible
    assert eligible.marker is not None and eligible.marker.status == "active"
    shown = detail(client, province.headers, db, meets["id_number"])
    assert shown["honors"][0]["category"] == "youth_skill_star"
    assert shown["honors"][0]["category_name_zh"] == "安徽青年技能之星"
    explained = shown["eligibility"]
    assert explained["route"] == "selection"
    assert explained["summary_zh"] == "符合（甄选）：满足全部3个条件，属于类别「安徽青年技能之星」"
    assert explained["summary_en"].endswith("category: Anhui Youth Skill Star")
    added = [r for r in explained["categories"] if r["code"] == "youth_skill_star"]
    assert [r["holds"] for r in added] == [True]
    not_eligible = talent(db, falls_short["id_number"])
    assert not_eligible is not None and not not_eligible.eligible
    assert not_eligible.marker is None


def test_an_added_category_is_named_on_every_page_export_and_api(
    client: TestClient, db: Session, province: Login, city: Login, tmp_path: Path
) -> None:
    add(client, province, "categories", YOUTH_STAR)
    record = person(3, category="青年技能之星")
    filed(client, city, province, tmp_path / "f.csv", [record])
    holder = talent(db, record["id_number"])
    assert holder is not None and holder.marker is not None

    listed = client.get(
        "/api/v1/talents", params={"category": "youth_skill_star"}, headers=province.headers
    ).json()
    assert [item["categories"] for item in listed["items"]] == [["youth_skill_star"]]
    unknown = client.get("/api/v1/talents", params={"category": "x"}, headers=province.headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["code"] == "invalid_code"

    roster = client.get("/api/v1/public/roster", params={"category": "youth_skill_star"}).json()
    assert [item["categories"] for item in roster["items"]] == [["youth_skill_star"]]
    verified = client.get(f"/api/v1/public/verify/{holder.marker.code}").json()
    assert verified["categories"] == ["youth_skill_star"]
    roster_csv = client.get("/api/v1/public/roster.csv", params={"category": "youth_skill_star"})
    rows = list(csv.reader(io.StringIO(roster_csv.content.decode("utf-8-sig"))))
    assert rows[1][5] == "青年技能之星"
    assert "青年技能之星" in client.get("/roster", params={"category": "youth_skill_star"}).text
    assert "青年技能之星" in client.get(f"/verify/{holder.marker.code}").text

    as_page_user(client, province)
    record_page = client.get(f"/talents/{holder.id}")
    assert record_page.status_code == 200
    assert "安徽青年技能之星" in record_page.text
    list_page = client.get("/talents", params={"category": "youth_skill_star"})
    assert list_page.status_code == 200
    assert '<option value="youth_skill_star" selected>青年技能之星</option>' in list_page.text
    assert record["name"] in list_page.text
    export = client.get("/talents/export.xlsx", params={"category": "youth_skill_star"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert "青年技能之星" in [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    statistics = client.get("/oversight/statistics")
    assert statistics.status_code == 200 and "青年技能之星" in statistics.text


def test_a_province_admin_keeps_an_added_category_when_correcting_a_record(
    client: TestClient, db: Session, province: Login, city: Login, tmp_path: Path
) -> None:
    add(client, province, "categories", YOUTH_STAR)
    record = person(4, category="youth_skill_star")
    filed(client, city, province, tmp_path / "f.csv", [record])
    holder = talent(db, record["id_number"])
    assert holder is not None
    deactivate(client, province, "categories", "youth_skill_star")
    url = f"/api/v1/talents/{holder.id}"
    etag = client.get(url, headers=province.headers).headers["ETag"]
    honour = {**record["honors"][0], "category": "youth_skill_star"}

    unknown = client.patch(
        url,
        json={"honors": [honour, {**honour, "category": "nothing_here"}]},
        headers={**province.headers, "If-Match": etag},
    )
    kept = client.patch(
        url,
        json={"honors": [{**honour, "title": "安徽青年技能之星（更正）"}]},
        headers={**province.headers, "If-Match": etag},
    )

    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "honors.1.category"
    assert unknown.json()["errors"][0]["code"] == "invalid_code"
    assert kept.status_code == 200, kept.text
    assert kept.json()["eligibility"]["eligible"] is True


def test_a_deactivated_category_or_relation_is_refused_per_row_with_the_words_accepted(
    client: TestClient, db: Session, province: Login, city: Login, tmp_path: Path
) -> None:
    add(client, province, "categories", YOUTH_STAR)
    add(client, province, "relations", GRANDCHILD)
    deactivate(client, province, "categories", "youth_skill_star")
    deactivate(client, province, "relations", "grandchild")
    record = person(5, category="青年技能之星", dependents=(("孙子女", school_age_id()),))

    response = upload(client, city.headers, write_csv(tmp_path / "f.csv", [record]))

    assert response.json()["status"] == "invalid"
    report = call(client, "GET", "submission_report", city.headers, response.json()["id"])
    errors = {e["field"]: e for e in report.json()["errors"]}
    category = errors["honors[0].category"]
    assert category["code"] == "invalid_code"
    assert category["message"].startswith(
        "第1项荣誉的人才类别「青年技能之星」无效，应填写「全国劳动模范」"
    )
    assert category["message"].count("青年技能之星") == 1  # not among the words accepted
    relation = errors["dependents[0].relation"]
    assert relation["code"] == "invalid_choice"
    assert relation["message"] == "第1位家属的关系「孙子女」无效，应填写「配偶」、「子女」之一"


def test_a_dependent_of_an_added_relation_is_filed_and_gets_no_dependent_service(
    client: TestClient,
    db: Session,
    province: Login,
    city: Login,
    login: Callable[..., Login],
    tmp_path: Path,
) -> None:
    add(client, province, "relations", GRANDCHILD)
    grandchild, child = school_age_id(), school_age_id()
    record = person(6, dependents=(("孙子女", grandchild), ("子女", child)))
    filed(client, city, province, tmp_path / "f.csv", [record])
    shown = detail(client, province.headers, db, record["id_number"])
    assert [(d["relation"], d["relation_name_zh"]) for d in shown["dependents"]] == [
        ("grandchild", "孙子女"),
        ("child", "子女"),
    ]
    clerk = login("window_clerk").headers
    db.commit()

    for service in ("education", "employment", "housing"):
        answer = lookup(client, clerk, id_number=grandchild, service=service)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["priority"], answer.json()["basis"]) == (False, None)
    # The notice's child of school age, beside them, does get it; the holder too.
    schooled = lookup(client, clerk, id_number=child, service="education").json()
    assert (schooled["priority"], schooled["basis"]) == (True, "dependent")
    assert lookup(client, clerk, id_number=record["id_number"]).json()["priority"] is True
    as_page_user(client, province)
    holder = talent(db, record["id_number"])
    assert holder is not None
    assert "孙子女" in client.get(f"/talents/{holder.id}").text


def test_the_template_legend_lists_the_active_categories_and_relations(
    client: TestClient, province: Login, city: Login
) -> None:
    add(client, province, "categories", YOUTH_STAR)
    add(client, province, "relations", GRANDCHILD)
    deactivate(client, province, "relations", "grandchild")

    template = client.get("/api/v1/submissions/template.xlsx", headers=city.headers)

    legend = openpyxl.load_workbook(io.BytesIO(template.content))[LEGEND_SHEET]
    pairs = {(row[0], row[1]) for row in legend.iter_rows(values_only=True)}
    assert ("青年技能之星", "youth_skill_star") in pairs
    assert ("全国劳动模范", "national_model_worker") in pairs
    assert ("孙子女", "grandchild") not in pairs
