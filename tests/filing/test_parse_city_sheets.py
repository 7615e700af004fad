"""Files as the cities make them: title rows above the header, a notes sheet, a footer, old
.xls and .ods workbooks; each row keeps the sheet's own line for the officer."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from app.filing.parsers.calamine_reader import MAX_SHEET_ROWS
from app.pages.session import SESSION_COOKIE
from tests.conftest import Login
from tests.filing.api import call, upload
from tests.filing.parser_files import (
    CITY_BAD_LINE,
    CITY_ID_LINE,
    FILES,
    HOLDER,
    failure,
    read,
    write_city_workbook,
    write_csv,
    write_xlsx,
)


def city_workbook(kind: str, tmp_path: Path) -> Path:
    if kind == "xlsx":
        return write_city_workbook(tmp_path / "city_workbook.xlsx")
    return Path(shutil.copy(FILES / f"city_workbook.{kind}", tmp_path))


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_city_workbook_is_read_from_its_header_to_its_footer(kind: str, tmp_path: Path) -> None:
    unknown, rows = read(city_workbook(kind, tmp_path))

    assert unknown == ("备注",)
    assert [(row.row, row.sheet_row) for row in rows] == [(1, CITY_ID_LINE), (3, CITY_BAD_LINE)]
    first, second = rows
    assert first.fields["id_number"] == HOLDER
    assert first.fields["name"] == "张三"  # the header cell 「姓 名」 has a space in it
    assert first.fields["reason"] == "退休"
    assert second.fields["id_number"] == "12345"


def test_csv_header_below_a_title_line_is_found(tmp_path: Path) -> None:
    lines = [["某市备案表"], ["填报单位：某市人社局"], ["操作", "身份证号"], ["退出", HOLDER]]

    _, rows = read(write_csv(tmp_path / "c.csv", lines))

    assert [(row.row, row.sheet_row, row.fields["id_number"]) for row in rows] == [(1, 4, HOLDER)]


def test_header_below_the_first_ten_rows_is_not_searched_for(tmp_path: Path) -> None:
    lines: list[list[object]] = [[f"说明 {n}"] for n in range(10)]
    path = write_xlsx(tmp_path / "w.xlsx", [*lines, ["操作", "身份证号"], ["退出", HOLDER]])

    error = failure(path)

    assert error.code == "missing_columns"
    assert "前 10 行" in error.message_zh


def test_header_missing_a_required_column_says_which_and_where(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", [["某市备案表"], ["操作", "姓名"], ["退出", "张三"]])

    error = failure(path)

    assert error.code == "missing_columns"
    assert "第 2 行" in error.message_zh and "身份证号" in error.message_zh


def test_a_footer_word_in_a_row_with_an_id_number_is_data(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "w.xlsx", [["姓名", "操作", "身份证号"], ["填表人", "退出", HOLDER]]
    )

    _, rows = read(path)

    assert [row.fields["name"] for row in rows] == ["填表人"]


def test_workbook_of_only_notes_sheets_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["填表说明"])
    workbook.create_sheet("代码表").append(["技能等级", "高级技师"])
    workbook.save(tmp_path / "w.xlsx")

    assert failure(tmp_path / "w.xlsx").code == "missing_columns"


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_text_renamed_to_an_old_workbook_is_malformed(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"city.{kind}"
    path.write_text("操作,身份证号\n退出,1\n", encoding="utf-8")

    assert failure(path).code == "malformed_file"


def test_ods_declaring_a_cell_repeated_past_the_limits_is_refused_unexpanded(
    tmp_path: Path,
) -> None:
    """A few bytes may declare a million filled rows: refused before calamine expands them."""
    with zipfile.ZipFile(FILES / "city_workbook.ods") as source:
        parts = {info: source.read(info) for info in source.infolist()}
    path = tmp_path / "bomb.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts.items():
            if info.filename == "content.xml":
                text = data.decode()
                repeated = f'table:number-rows-repeated="{MAX_SHEET_ROWS * 5}"'
                text = text.replace("<table:table-row", f"<table:table-row {repeated}", 1)
                data = text.encode()
            target.writestr(info, data)

    assert failure(path).code == "file_too_large"


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_row_error_names_the_sheet_line_beside_the_data_row(
    kind: str, tmp_path: Path, client: TestClient, city: Login
) -> None:
    response = upload(client, city.headers, city_workbook(kind, tmp_path))
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["rows"] == 2

    report = call(client, "GET", "submission_report", city.headers, response.json()["id"]).json()

    bad = [error for error in report["errors"] if error["code"] == "invalid_id_number"]
    assert [(error["row"], error["sheet_row"]) for error in bad] == [(3, CITY_BAD_LINE)]
    client.cookies.set(SESSION_COOKIE, city.headers["Authorization"].removeprefix("Bearer "))
    page = client.get(f"/city/submissions/{response.json()['id']}")
    assert page.status_code == 200
    assert f'<td class="num">{CITY_BAD_LINE}</td><td class="num">3</td>' in page.text


def test_json_row_errors_have_no_sheet_line(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    path = tmp_path / "f.json"
    path.write_text('{"records": [{"action": "retire", "id_number": "123"}]}', encoding="utf-8")
    response = upload(client, city.headers, path)

    report = call(client, "GET", "submission_report", city.headers, response.json()["id"]).json()

    assert report["errors"] and all(error["sheet_row"] is None for error in report["errors"])
