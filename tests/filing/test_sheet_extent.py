"""A sheet's real extent, blank rows and cells included, against the file limits: the
issue's 5 KB workbook with no dimension and one cell at row 3,000,000 is refused when that
row is met, without walking the rows before it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from app.filing.parsers import base as parser_limits
from app.filing.parsers.xlsx_reader import sheet_lines
from tests.conftest import Login
from tests.filing.api import upload
from tests.filing.parser_files import HEADER, ROW, failure, rewrite_zip, write_csv, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"


def hostile_xlsx(tmp_path: Path, *, far_cell: str, dimension: str | None) -> Path:
    """A valid two-line sheet, its <dimension> replaced (or removed), one cell added."""
    plain = write_xlsx(tmp_path / "plain.xlsx", [HEADER, ROW])
    with zipfile.ZipFile(plain) as archive:
        xml = archive.read(SHEET).decode()
    row_number = re.sub(r"\D", "", far_cell)
    cell = f'<row r="{row_number}"><c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = xml.replace("</sheetData>", cell + "</sheetData>")
    declared = "" if dimension is None else f'<dimension ref="{dimension}"/>'
    xml = re.sub(r"<dimension [^>]*/>", declared, xml)
    return rewrite_zip(plain, tmp_path / "hostile.xlsx", {SHEET: xml.encode()})


def test_one_cell_at_row_three_million_is_refused_where_it_is_met(tmp_path: Path) -> None:
    path = hostile_xlsx(tmp_path, far_cell="A3000000", dimension=None)
    assert path.stat().st_size < 10_000

    assert failure(path).code == "too_many_rows"
    # The two real lines are read, then the far row refuses the file: no blank row between
    # is produced, let alone walked.
    workbook = openpyxl.load_workbook(path, read_only=True)
    met = []
    with pytest.raises(parser_limits.FileFormatError) as refused:
        for line in sheet_lines(workbook.worksheets[0]):  # type: ignore[arg-type]
            met.append(line)
    workbook.close()
    assert refused.value.code == "too_many_rows"
    assert len(met) == 2


def test_a_declared_extent_past_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = hostile_xlsx(tmp_path, far_cell="A3", dimension="A1:H3000000")
    assert failure(path).code == "too_many_rows"
    wide = hostile_xlsx(tmp_path, far_cell="A3", dimension="A1:XFD2")
    assert failure(wide).code == "too_many_columns"


def test_a_cell_far_to_the_right_is_refused(tmp_path: Path) -> None:
    path = hostile_xlsx(tmp_path, far_cell="XFD3", dimension=None)
    assert failure(path).code == "too_many_columns"


def test_blank_rows_count_against_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parser_limits, "MAX_ROWS", 5)
    csv_path = write_csv(tmp_path / "blank.csv", [HEADER, *([[""]] * 10), ROW])
    assert failure(csv_path).code == "too_many_rows"
    xlsx_path = hostile_xlsx(tmp_path, far_cell="A20", dimension=None)
    assert failure(xlsx_path).code == "too_many_rows"
    # Up to the limit, blank rows are fine and keep the line numbers.
    ok = write_xlsx(tmp_path / "ok.xlsx", [HEADER, [], [], ROW])
    with ok.open("rb") as stream:
        from app.filing.parsers import parse_upload

        assert [row.row for row in parse_upload(stream, ok.name)] == [3]


def test_the_upload_is_refused_with_a_row_limit_error(
    tmp_path: Path, client: TestClient, city: Login
) -> None:
    path = hostile_xlsx(tmp_path, far_cell="A3000000", dimension=None)
    response = upload(client, city.headers, path)
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_rows"
