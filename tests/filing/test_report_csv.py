"""Cells of the CSV error report cannot run as spreadsheet formulas."""

from __future__ import annotations

import pytest

from app.filing.report_csv import column_label, safe_cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 123", "'+86 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("姓名不能为空", "姓名不能为空"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cell_starting_like_a_formula_gets_a_quote(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("id_number", "身份证号"),
        ("honors[2].year", "授予年份"),
        ("dependents[0].name", "家属姓名"),
        ("x", ""),
    ],
)
def test_field_path_is_shown_as_its_spreadsheet_header(field: str, label: str) -> None:
    assert column_label(field) == label
