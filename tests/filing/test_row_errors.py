"""Row errors from outside: codes and Chinese messages, registry checks, the reports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, OTHER_CITY, call, submit_and_approve, talent, upload
from tests.filing.writers import people, retire, write_csv, write_json

ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]")


def test_every_bad_row_is_reported_with_row_field_code_and_chinese_message(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    good, bad_id, no_name, dup = people(10, 4, city_code=HOLDER_CITY)
    bad_id = {
        **bad_id,
        "id_number": bad_id["id_number"][:-1] + ("0" if bad_id["id_number"][-1] != "0" else "1"),
    }
    no_name = {**no_name, "name": ""}
    dup = {**dup, "id_number": good["id_number"], "skill_level": "大师"}
    path = write_csv(tmp_path / "city.csv", [good, bad_id, no_name, dup], encoding="gb18030")

    response = upload(client, city.headers, path)

    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "invalid"
    assert body["counts"] == {
        "rows": 4,
        "errors": 3,
        "create": 1,
        "update": 0,
        "retire": 0,
        "unchanged": 0,
    }
    report = call(client, "GET", "submission_report", city.headers, body["id"]).json()
    found = {(e["row"], e["field"], e["code"]) for e in report["errors"]}
    assert found == {
        (2, "id_number", "invalid_id_number"),
        (3, "name", "required"),
        (4, "skill_level", "invalid_code"),
        (4, "id_number", "duplicate_in_file"),
    }
    messages = {e["code"]: e["message"] for e in report["errors"]}
    assert messages["required"] == "姓名不能为空"
    assert "第1行" in messages["duplicate_in_file"]
    assert "校验码" in messages["invalid_id_number"] or "身份证号" in messages["invalid_id_number"]
    assert ID_LIKE.search(str(report)) is None


def test_person_filed_by_another_city_is_an_error_naming_that_city_only(
    tmp_path: Path, client: TestClient, city: Login, other_city: Login, province: Login
) -> None:
    theirs = people(11, 1, city_code=OTHER_CITY)
    filed = upload(client, other_city.headers, write_json(tmp_path / "wuhu.json", theirs)).json()
    submit_and_approve(client, other_city, province, filed["id"])
    ours = {**theirs[0], "employer": "合肥某公司"}

    response = upload(client, city.headers, write_json(tmp_path / "hefei.json", [ours]))

    assert response.json()["status"] == "invalid"
    (error,) = call(client, "GET", "submission_report", city.headers, response.json()["id"]).json()[
        "errors"
    ]
    assert (error["row"], error["field"], error["code"]) == (1, "id_number", "filed_by_other_city")
    assert "已由芜湖市备案" in error["message"]
    assert theirs[0]["name"] not in error["message"]
    assert theirs[0]["employer"] not in error["message"]
    assert theirs[0]["id_number"] not in error["message"]


def test_retiring_someone_not_in_the_citys_registry_is_an_error(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    stranger = people(12, 1, city_code=HOLDER_CITY)[0]["id_number"]

    response = upload(client, city.headers, write_json(tmp_path / "r.json", [retire(stranger)]))

    (error,) = call(client, "GET", "submission_report", city.headers, response.json()["id"]).json()[
        "errors"
    ]
    assert (error["field"], error["code"]) == ("id_number", "not_in_city_registry")
    assert "无法办理退出" in error["message"]
    assert stranger not in error["message"]


def test_report_csv_is_excel_ready_and_formula_safe(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    record = people(13, 1, city_code=HOLDER_CITY)[0]
    hostile = {**record, "skill_level": '=HYPERLINK("http://x")', "name": "+" + "张" * 60}
    response = upload(client, city.headers, write_json(tmp_path / "h.json", [hostile]))

    csv_response = call(client, "GET", "submission_report_csv", city.headers, response.json()["id"])

    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["content-disposition"]
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == ["行号", "表格行号", "列名", "字段", "错误代码", "错误说明"]
    by_field = {row[3]: row for row in rows[1:]}
    assert by_field["skill_level"][1] == ""  # a JSON file has no sheet lines
    assert by_field["skill_level"][2] == "技能等级"
    assert by_field["skill_level"][5].startswith("技能等级「=HYPERLINK")
    assert by_field["name"][4] == "too_long"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_formula_like_cell_is_escaped_with_a_quote(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    record = {**people(14, 1, city_code=HOLDER_CITY)[0], "unexpected": 1}
    record["=cmd|' /C calc'!A0"] = "x"

    response = upload(client, city.headers, write_json(tmp_path / "f.json", [record]))
    content = call(
        client, "GET", "submission_report_csv", city.headers, response.json()["id"]
    ).content

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    fields = [row[3] for row in rows[1:]]
    assert "unexpected" in fields
    assert "'=cmd|' /C calc'!A0" in fields


def test_valid_file_has_an_empty_report(tmp_path: Path, client: TestClient, city: Login) -> None:
    response = upload(
        client, city.headers, write_json(tmp_path / "ok.json", people(15, 2, city_code=HOLDER_CITY))
    )

    report = call(client, "GET", "submission_report", city.headers, response.json()["id"])

    assert report.json() == {"errors": []}


def test_person_another_city_retired_may_be_filed_here_and_moves(
    tmp_path: Path, client: TestClient, db: Session, city: Login, other_city: Login, province: Login
) -> None:
    person = people(16, 1, city_code=OTHER_CITY)[0]
    first = upload(client, other_city.headers, write_json(tmp_path / "w1.json", [person])).json()
    submit_and_approve(client, other_city, province, first["id"])
    gone = upload(
        client,
        other_city.headers,
        write_json(tmp_path / "w2.json", [retire(person["id_number"], "其他：调往合肥")]),
    ).json()
    submit_and_approve(client, other_city, province, gone["id"])

    here = upload(client, city.headers, write_json(tmp_path / "h.json", [person])).json()
    preview = call(client, "GET", "submission_preview", city.headers, here["id"]).json()
    submit_and_approve(client, city, province, here["id"])

    assert here["counts"]["update"] == 1
    (row,) = preview["items"]
    assert row["changes"]["city_code"] == [OTHER_CITY, HOLDER_CITY]
    moved = talent(db, person["id_number"])
    assert moved is not None and (moved.city_code, moved.status) == (HOLDER_CITY, "filed")


def test_retiring_someone_already_retired_changes_nothing(
    tmp_path: Path, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    person = people(17, 1, city_code=HOLDER_CITY)[0]
    first = upload(client, city.headers, write_json(tmp_path / "a.json", [person])).json()
    submit_and_approve(client, city, province, first["id"])
    for name in ("b.json", "c.json"):
        response = upload(
            client, city.headers, write_json(tmp_path / name, [retire(person["id_number"])])
        )
        submit_and_approve(client, city, province, response.json()["id"])
    version = talent(db, person["id_number"])

    assert response.json()["counts"]["unchanged"] == 1
    assert version is not None and version.version == 2
