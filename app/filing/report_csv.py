"""The error report as a CSV file a clerk opens in Excel.

UTF-8 with a BOM (Excel needs it for Chinese), Chinese headers, and every cell safe from
formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
would run as a formula in a spreadsheet, so it gets a leading `'` (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from app.filing.models import SubmissionError
from app.filing.parsers.columns import LABEL_BY_FIELD

HEADERS = ("行号", "表格行号", "列名", "字段", "错误代码", "错误说明")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ITEM_INDEX = re.compile(r"\[[0-9]+\]")


def report_csv(errors: Iterable[SubmissionError]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for error in errors:
        sheet_row = "" if error.sheet_row is None else str(error.sheet_row)
        cells = (str(error.row_no), sheet_row, column_label(error.field), error.field, error.code)
        writer.writerow([safe_cell(cell) for cell in (*cells, error.message)])
    return text.getvalue().encode("utf-8-sig")


def safe_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def column_label(field: str) -> str:
    """The spreadsheet header of a field path (`honors[1].year` -> 授予年份), else ''."""
    return LABEL_BY_FIELD.get(_ITEM_INDEX.sub("[]", field), "")
