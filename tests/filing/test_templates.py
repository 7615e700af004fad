"""The blank templates: all headers, one valid sample row, and a legend of every code."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from app.filing.file_format import ACTION_ZH
from app.filing.parsers import parse_upload
from app.filing.parsers.columns import HEADERS
from app.filing.rows import validate_row
from app.filing.templates import LEGEND_SHEET, template_csv, template_xlsx
from app.registry.codes import CATEGORY_SHORT_ZH, RELATION_ZH, SKILL_LEVEL_ZH

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(("name", "make"), [("t.csv", template_csv), ("t.xlsx", template_xlsx)])
def test_template_parses_back_into_one_valid_row(name: str, make: Callable[[], bytes]) -> None:
    rows = parse_upload(io.BytesIO(make()), name)

    (raw,) = list(rows)
    result = validate_row(raw, today=TODAY)

    assert rows.unknown_headers == ()
    assert result.errors == []
    assert result.record is not None
    assert len(result.record.honors) == 2 and len(result.record.dependents) == 1


def test_csv_template_has_a_bom_and_every_header_in_order() -> None:
    content = template_csv()

    assert content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(header) == HEADERS


def test_xlsx_template_keeps_id_columns_as_text() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert tuple(header) == HEADERS

    for title in ("身份证号", "家属身份证号", "统一社会信用代码"):
        letter = get_column_letter(header.index(title) + 1)
        assert sheet.column_dimensions[letter].number_format == "@"
        assert sheet[f"{letter}2"].number_format == "@"
        assert isinstance(sheet[f"{letter}2"].value, str)


def test_xlsx_legend_lists_every_code_with_its_chinese_name() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert workbook.sheetnames[1] == LEGEND_SHEET
    pairs = {(row[0], row[1]) for row in workbook[LEGEND_SHEET].iter_rows(values_only=True)}

    for names in (ACTION_ZH, SKILL_LEVEL_ZH, CATEGORY_SHORT_ZH, RELATION_ZH):
        for code, chinese in names.items():
            assert (chinese, code.value) in pairs
    legend_text = " ".join(str(cell) for pair in pairs for cell in pair)
    assert "「;」" in legend_text and "「；」" in legend_text
    assert "「是」" in legend_text and "「否」" in legend_text
