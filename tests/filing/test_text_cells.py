"""Every text cell of a submission file is free text: an ID number in it (any spelling) or a
control character is a row error, and no message quotes the number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, call, upload
from tests.filing.writers import people, retire, write_csv, write_json
from tests.lookup.factories import new_id_number

OTHER = "34010219800101001X"
SPACED = "340102 19800101 001x"
FULL_WIDTH = "３４０１０２１９８００１０１００１Ｘ"
HYPHENS = "340102-1980-0101-001x"


def _rows() -> tuple[list[dict[str, Any]], set[tuple[int, str, str]]]:
    control, note, title, dependent, year, fine = people(71, 6, city_code=HOLDER_CITY)
    control["name"] = "张\x07三"
    note["conditions"]["contribution"]["note"] = f"持证人 {SPACED} 技术攻关贡献突出"
    title["honors"][0]["title"] = f"全国劳动模范{FULL_WIDTH}"
    child = new_id_number(birth_year_range=(2012, 2015))
    dependent["dependents"] = [{"relation": "child", "id_number": child, "name": f"王{HYPHENS}"}]
    year["frontline_since"] = SPACED  # not text: the message quotes the cell, masked
    retiring = retire(fine["id_number"], reason=f"退休，原证号{OTHER}")
    expected = {
        (1, "name", "invalid_text"),
        (2, "conditions.contribution.note", "id_number_in_text"),
        (3, "honors[0].title", "id_number_in_text"),
        (4, "dependents[0].name", "id_number_in_text"),
        (5, "frontline_since", "invalid_year"),
        (6, "reason", "id_number_in_text"),
        (6, "id_number", "not_in_city_registry"),  # the person was never filed
    }
    return [control, note, title, dependent, year, retiring], expected


@pytest.mark.parametrize(("write", "name"), [(write_csv, "city.csv"), (write_json, "city.json")])
def test_id_numbers_and_control_characters_in_cells_are_row_errors(
    tmp_path: Path, client: TestClient, city: Login, write: Any, name: str
) -> None:
    rows, expected = _rows()
    response = upload(client, city.headers, write(tmp_path / name, rows))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "invalid"
    report = call(client, "GET", "submission_report", city.headers, response.json()["id"])
    errors = report.json()["errors"]
    assert {(e["row"], e["field"], e["code"]) for e in errors} == expected
    assert all("身份证号" in e["message"] for e in errors if e["code"] == "id_number_in_text")
    for shown in ("19800101", "１９８００１０１", "1980-0101", "1980 0101"):
        assert shown not in report.text
    (year,) = [e for e in errors if e["field"] == "frontline_since"]
    assert "340102**********1X" in year["message"]


def test_reject_reason_holding_an_id_number_is_refused(
    tmp_path: Path, client: TestClient, city: Login, province: Login
) -> None:
    path = write_json(tmp_path / "city.json", people(72, 1, city_code=HOLDER_CITY))
    sid = upload(client, city.headers, path).json()["id"]
    call(client, "POST", "submission_submit", city.headers, sid)
    refused = call(
        client, "POST", "submission_reject", province.headers, sid, json={"reason": SPACED}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "id_number_in_text"
    status = call(client, "GET", "submission_get", province.headers, sid).json()["status"]
    assert status == "pending_review"


def test_idempotency_key_holding_an_id_number_is_refused(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    path = write_json(tmp_path / "city.json", people(73, 1, city_code=HOLDER_CITY))
    refused = upload(client, city.headers, path, key=f"upload-{HYPHENS}")
    assert refused.status_code == 422
    assert refused.json()["code"] == "id_number_in_text"
    listed = client.get(client.app.url_path_for("submission_list"), headers=city.headers)  # type: ignore[attr-defined]
    assert listed.json()["items"] == []
