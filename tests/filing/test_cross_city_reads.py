"""A city's filing check reads another city's records: it learns which city, nothing of
the record, and the read is in the person's access log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, OTHER_CITY, call, submit_and_approve, talent, upload
from tests.filing.writers import people, retire, write_json

NOTES = ("芜湖记录的突出贡献说明文字", "芜湖记录的技艺业绩说明文字", "芜湖记录的一线坚守说明文字")


def test_preview_of_a_person_another_city_filed_names_that_city_and_shows_nothing_of_its_record(
    tmp_path: Path, client: TestClient, db: Session, city: Login, other_city: Login, province: Login
) -> None:
    theirs = _with_own_notes(people(31, 1, city_code=OTHER_CITY)[0])
    filed = upload(client, other_city.headers, write_json(tmp_path / "w1.json", [theirs])).json()
    submit_and_approve(client, other_city, province, filed["id"])
    gone = write_json(tmp_path / "w2.json", [retire(theirs["id_number"], "其他：调往合肥")])
    submit_and_approve(
        client, other_city, province, upload(client, other_city.headers, gone).json()["id"]
    )
    ours = {**people(32, 1, city_code=HOLDER_CITY)[0], "id_number": theirs["id_number"]}

    here = upload(client, city.headers, write_json(tmp_path / "h.json", [ours])).json()
    preview = call(client, "GET", "submission_preview", city.headers, here["id"])

    assert preview.status_code == 200
    (row,) = preview.json()["items"]
    assert row["changes"]["city_code"] == [OTHER_CITY, HOLDER_CITY]
    shown = json.dumps(preview.json(), ensure_ascii=False)
    for value in _record_values(theirs):
        assert value not in shown
    assert all(
        before is None for field, (before, _) in row["changes"].items() if field != "city_code"
    )
    assert _reads_of(client, db, province, theirs["id_number"], city) == [
        (f"备案校验 {here['id']}", "other_city")
    ]


def test_a_row_refused_as_another_citys_person_is_a_recorded_read(
    tmp_path: Path, client: TestClient, db: Session, city: Login, other_city: Login, province: Login
) -> None:
    theirs = people(33, 1, city_code=OTHER_CITY)[0]
    filed = upload(client, other_city.headers, write_json(tmp_path / "w.json", [theirs])).json()
    submit_and_approve(client, other_city, province, filed["id"])

    here = upload(client, city.headers, write_json(tmp_path / "h.json", [theirs])).json()

    assert here["status"] == "invalid"
    assert _reads_of(client, db, province, theirs["id_number"], city) == [
        (f"备案校验 {here['id']}", "other_city")
    ]


def test_a_citys_own_filings_are_not_recorded_as_reads(
    tmp_path: Path, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    ours = people(34, 1, city_code=HOLDER_CITY)[0]
    filed = upload(client, city.headers, write_json(tmp_path / "a.json", [ours])).json()
    submit_and_approve(client, city, province, filed["id"])
    upload(client, city.headers, write_json(tmp_path / "b.json", [ours]))

    assert _reads_of(client, db, province, ours["id_number"], city) == []


def _with_own_notes(record: dict[str, Any]) -> dict[str, Any]:
    conditions = {
        name: {**condition, "note": note}
        for (name, condition), note in zip(record["conditions"].items(), NOTES, strict=True)
    }
    return {**record, "conditions": conditions}


def _record_values(record: dict[str, Any]) -> list[str]:
    """What the other city's record holds that the file of this city does not."""
    return [
        record["name"],
        record["employer"],
        record["employer_uscc"],
        record["card_no"],
        *NOTES,
        *(honour["certificate_no"] for honour in record["honors"]),
        *(dependent["name"] for dependent in record["dependents"]),
    ]


def _reads_of(
    client: TestClient, db: Session, province: Login, id_number: str, reader: Login
) -> list[tuple[str, str]]:
    found = talent(db, id_number)
    assert found is not None
    url = client.app.url_path_for("talent_access_log", talent_id=str(found.id))  # type: ignore[attr-defined]
    items = client.get(url, headers=province.headers).json()["items"]
    return [
        (item["purpose"], item["outcome"])
        for item in items
        if item["caller_name"] == reader.username and item["service"] is None
    ]
