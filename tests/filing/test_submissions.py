"""The contract's submission flow from outside: upload, counts, preview, submit, approve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.filing.constants import COUNT_KEYS
from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, call, submit_and_approve, talent, upload
from tests.filing.writers import WRITERS, people, retire, write_json


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_each_file_kind_is_validated_counted_and_applied(
    kind: str, tmp_path: Path, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    eligible = people(1, 3, city_code=HOLDER_CITY)
    ineligible = people(2, 1, city_code=HOLDER_CITY, eligible=False)
    path = WRITERS[kind](tmp_path / "city", eligible + ineligible)

    response = upload(client, city.headers, path)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "city_code", "period", "status", "sha256", "counts"}
    assert (body["city_code"], body["period"], body["status"]) == (
        HOLDER_CITY,
        "2026Q4",
        "validated",
    )
    assert re.fullmatch(r"[0-9a-f]{64}", body["sha256"])
    assert list(body["counts"]) == list(COUNT_KEYS)
    assert body["counts"] == {
        "rows": 4,
        "errors": 0,
        "create": 4,
        "update": 0,
        "retire": 0,
        "unchanged": 0,
    }
    submit_and_approve(client, city, province, body["id"])
    for record in eligible:
        stored = talent(db, record["id_number"])
        assert stored is not None and stored.eligible
        assert stored.marker is not None and stored.marker.status == "active"
    stored = talent(db, ineligible[0]["id_number"])
    assert stored is not None and not stored.eligible and stored.marker is None


def test_get_answers_the_same_object_with_the_current_status(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    created = upload(
        client, city.headers, write_json(tmp_path / "a.json", people(3, 2, city_code=HOLDER_CITY))
    ).json()

    fetched = call(client, "GET", "submission_get", city.headers, created["id"])
    call(client, "POST", "submission_submit", city.headers, created["id"])
    later = call(client, "GET", "submission_get", city.headers, created["id"])

    assert fetched.json() == created
    assert later.json() == {**created, "status": "pending_review"}


def test_preview_shows_updates_retirements_and_eligibility_after(
    tmp_path: Path, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    first = people(4, 4, city_code=HOLDER_CITY)
    applied = upload(client, city.headers, write_json(tmp_path / "first.json", first)).json()
    submit_and_approve(client, city, province, applied["id"])
    changed = {**first[0], "employer": "合肥新单位有限公司"}
    lapsed = {
        **first[1],
        "conditions": {**first[1]["conditions"], "frontline": {"met": False, "note": "已调离一线"}},
    }
    newcomer = people(5, 1, city_code=HOLDER_CITY)[0]
    second = [changed, lapsed, retire(first[2]["id_number"]), first[3], newcomer]

    response = upload(client, city.headers, write_json(tmp_path / "second.json", second))

    assert response.json()["counts"] == {
        "rows": 5,
        "errors": 0,
        "create": 1,
        "update": 2,
        "retire": 1,
        "unchanged": 1,
    }
    preview = call(
        client, "GET", "submission_preview", province.headers, response.json()["id"]
    ).json()
    rows = {item["row"]: item for item in preview["items"]}
    assert [rows[n]["outcome"] for n in range(1, 6)] == [
        "update",
        "update",
        "retire",
        "unchanged",
        "create",
    ]
    assert rows[1]["changes"] == {"employer": [first[0]["employer"], "合肥新单位有限公司"]}
    assert rows[1]["eligible_after"] is True and rows[1]["ineligible_reason"] is None
    assert rows[2]["eligible_after"] is False
    assert "长期坚守在生产服务一线岗位工作" in rows[2]["ineligible_reason"]
    assert rows[3]["changes"]["status"] == ["filed", "retired"]
    assert rows[3]["eligible_after"] is False and "已退出" in rows[3]["ineligible_reason"]
    assert rows[5]["changes"]["name"] == [None, newcomer["name"]]
    assert (
        rows[5]["id_number_masked"]
        == newcomer["id_number"][:6] + "*" * 10 + newcomer["id_number"][-2:]
    )
    assert newcomer["id_number"] not in str(preview)


def test_approval_grants_and_withdraws_markers_through_the_registry(
    tmp_path: Path, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    first = people(6, 3, city_code=HOLDER_CITY)
    applied = upload(client, city.headers, write_json(tmp_path / "first.json", first)).json()
    submit_and_approve(client, city, province, applied["id"])
    lapsed = {**first[0], "honors": []}
    second = [lapsed, retire(first[1]["id_number"], "退休")]

    response = upload(client, city.headers, write_json(tmp_path / "second.json", second))
    submit_and_approve(client, city, province, response.json()["id"])

    no_honour = talent(db, first[0]["id_number"])
    retired = talent(db, first[1]["id_number"])
    untouched = talent(db, first[2]["id_number"])
    assert no_honour is not None and no_honour.marker is not None
    assert (no_honour.eligible, no_honour.marker.status) == (False, "revoked")
    assert retired is not None and retired.marker is not None
    assert (retired.status, retired.marker.status) == ("retired", "revoked")
    assert retired.retired_reason == "退休"
    assert untouched is not None and untouched.marker is not None
    assert untouched.marker.status == "active"
