"""GET /api/v1/public/roster and roster.csv: only active markers, no ID number in any form."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.registry.markers import local_today
from tests.lookup.factories import Person, make_talent

ID_LIKE = re.compile(r"\d{17}[\dXx]")
ITEM_KEYS = [
    "categories",
    "city_code",
    "city_name",
    "employer",
    "filed_on",
    "gender",
    "name",
    "occupation",
]


def roster(client: TestClient, **params: object):  # type: ignore[no-untyped-def]
    return client.get(client.app.url_path_for("roster_list"), params=params)  # type: ignore[attr-defined]


def assert_no_id_numbers(text: str, people: list[Person]) -> None:
    assert not ID_LIKE.search(text)
    keyring = get_keyring()
    for person in people:
        assert person.id_number not in text
        assert person.id_number[:17] not in text
        assert keyring.blind_index(person.id_number) not in text
        for kin in person.dependents:
            assert kin.id_number not in text


@pytest.fixture
def town(db: Session) -> dict[str, Person]:
    """A city (淮南市, 340400) of its own, so other tests' rows don't show up."""
    make = lambda **kw: make_talent(db, city_code="340400", **kw)  # noqa: E731
    return {
        "active": make(name="甲乙丙", categories=("special_allowance", "national_model_worker")),
        "active2": make(name="丁戊", categories=("china_skills_award",), dependents=("child",)),
        "suspended": make(marker="suspended", name="停用人"),
        "revoked": make(marker="revoked", name="撤销人"),
        "expired": make(valid_until=local_today() - timedelta(days=1), name="过期人"),
        "none": make(marker=None, name="无标识"),
    }


def test_roster_lists_only_people_whose_marker_is_active(client, town) -> None:  # type: ignore[no-untyped-def]
    response = roster(client, city_code="340400")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2 and (body["page"], body["page_size"]) == (1, 20)
    assert sorted(i["name"] for i in body["items"]) == ["丁戊", "甲乙丙"]
    first = next(i for i in body["items"] if i["name"] == "甲乙丙")
    assert sorted(first) == ITEM_KEYS
    assert first["city_name"] == "淮南市" and first["city_code"] == "340400"
    assert first["categories"] == ["national_model_worker", "special_allowance"]
    assert first["gender"] in ("M", "F")
    assert_no_id_numbers(response.text, list(town.values()))


def test_roster_filters_by_category_and_name(client, town) -> None:  # type: ignore[no-untyped-def]
    by_category = roster(client, city_code="340400", category="china_skills_award").json()
    assert [i["name"] for i in by_category["items"]] == ["丁戊"]
    by_name = roster(client, city_code="340400", q="乙").json()
    assert [i["name"] for i in by_name["items"]] == ["甲乙丙"]
    assert roster(client, city_code="340400", q="%").json()["total"] == 0
    assert roster(client, city_code="340400", q="停用").json()["total"] == 0


def test_roster_pages(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        make_talent(db, city_code="341800", name=f"宣城{n}")
    first = roster(client, city_code="341800", page_size=2).json()
    third = roster(client, city_code="341800", page_size=2, page=3).json()
    assert first["total"] == 5
    assert [i["name"] for i in first["items"]] == ["宣城0", "宣城1"]
    assert [i["name"] for i in third["items"]] == ["宣城4"]


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 101},
        {"page": 0},
        {"page": 10**20},
        {"city_code": "999999"},
        {"city_code": "abc"},
        {"category": "x"},
    ],
)
def test_roster_rejects_bad_parameters(client, params: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    response = roster(client, **params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_roster_csv_is_excel_ready_and_formula_safe(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    evil = make_talent(db, city_code="341700", name="池州人", employer='=HYPERLINK("http://x")')
    plain = make_talent(db, city_code="341700", name="池州二", occupation="@焊工")
    make_talent(db, city_code="341700", marker="revoked", name="池州三")
    response = client.get(client.app.url_path_for("roster_export"), params={"city_code": "341700"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["姓名", "性别", "所在市", "工作单位", "职业工种", "人才类别", "备案日期"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"池州人", "池州二"}
    assert by_name["池州人"][3] == '\'=HYPERLINK("http://x")'
    assert by_name["池州二"][4] == "'@焊工"
    assert by_name["池州人"][2] == "池州市" and by_name["池州人"][5] == "全国劳动模范"
    assert by_name["池州人"][1] in ("男", "女")
    assert_no_id_numbers(text, [evil, plain])


def test_public_routes_are_rate_limited_per_client(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.core.settings import get_settings

    monkeypatch.setenv("BLUECARD_RATE_LIMIT_PUBLIC", "3/minute")
    get_settings.cache_clear()
    try:
        statuses = [roster(client, city_code="340400").status_code for _ in range(4)]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert statuses == [200, 200, 200, 429]


def test_roster_csv_streams_the_roster_a_chunk_at_a_time_unchanged(  # type: ignore[no-untyped-def]
    client, db: Session, monkeypatch
) -> None:
    """Cut into chunks of 2 the file is the same as in one piece, and says what the
    paged JSON roster says, row for row in the same order."""
    from app.public import service
    from app.registry.codes import CATEGORY_SHORT_ZH, Category

    for n in range(7):
        make_talent(db, city_code="340800", name=f"安庆{n}", employer=f"单位{n}")
    url = client.app.url_path_for("roster_export")
    whole = client.get(url, params={"city_code": "340800"}).content
    monkeypatch.setattr(service, "CHUNK", 2)
    chunked = client.get(url, params={"city_code": "340800"})
    assert chunked.content == whole
    assert "content-length" not in chunked.headers  # sent as it is read
    listed = roster(client, city_code="340800", page_size=100).json()["items"]
    rows = list(csv.reader(io.StringIO(whole.decode("utf-8-sig"))))[1:]
    assert [(r[0], r[2], r[3], r[5], r[6]) for r in rows] == [
        (
            i["name"],
            i["city_name"],
            i["employer"],
            "；".join(CATEGORY_SHORT_ZH[Category(c)] for c in i["categories"]),
            i["filed_on"],
        )
        for i in listed
    ]
    assert len(rows) == 7


def test_an_empty_roster_csv_is_its_header(client) -> None:  # type: ignore[no-untyped-def]
    url = client.app.url_path_for("roster_export")
    response = client.get(url, params={"q": "没有这个人"})
    assert (
        response.content.decode("utf-8-sig")
        == "姓名,性别,所在市,工作单位,职业工种,人才类别,备案日期\r\n"
    )
