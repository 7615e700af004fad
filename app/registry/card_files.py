"""Reading the province's blue-card pool export (CSV or XLSX), one row at a time.

Headers are the Chinese ones of the export (蓝卡卡号, 身份证号, 姓名, 所属市, 职业工种,
技能等级, 发卡日期) or the English field names, in any order. CSV may be UTF-8 (with or
without BOM) or GB18030, as Excel saves it. Nothing is held beyond the current row (the
XLSX reader streams the sheet), so a file of a million cards reads in constant memory.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

HEADERS: dict[str, str] = {
    "蓝卡卡号": "card_no",
    "身份证号": "id_number",
    "姓名": "name",
    "所属市": "city",
    "职业工种": "occupation",
    "技能等级": "skill_level",
    "发卡日期": "issued_on",
    "card_no": "card_no",
    "id_number": "id_number",
    "name": "name",
    "city": "city",
    "city_code": "city",
    "occupation": "occupation",
    "skill_level": "skill_level",
    "issued_on": "issued_on",
}
REQUIRED = ("card_no", "id_number", "name", "city")
_SNIFF_BYTES = 64 * 1024


class CardFileError(ValueError):
    """The file as a whole cannot be read; `message_zh` says why, for the operator."""

    def __init__(self, message_zh: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh


@dataclass
class CardFile:
    """`rows` yields (data row number from 1, {field: cell value}); `total` when known."""

    rows: Iterator[tuple[int, dict[str, Any]]]
    total: int | None


def open_card_file(path: Path) -> CardFile:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_file(path)
    if suffix == ".xlsx":
        return _xlsx_file(path)
    raise CardFileError(f"不支持的文件类型「{suffix or '无扩展名'}」：请提供 .csv 或 .xlsx 文件")


def _csv_file(path: Path) -> CardFile:
    with path.open("rb") as raw:
        encoding = _csv_encoding(raw.read(_SNIFF_BYTES))

    def lines() -> Iterator[list[str]]:
        with path.open(encoding=encoding, newline="") as text:
            try:
                yield from csv.reader(text)
            except (UnicodeDecodeError, csv.Error) as exc:
                raise CardFileError(
                    "CSV 文件中有无法识别的内容，请另存为 UTF-8 编码后重试"
                ) from exc

    return _rows_after_header(lines(), total=None)


def _xlsx_file(path: Path) -> CardFile:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise CardFileError("文件不是有效的 Excel 工作簿（.xlsx）") from exc
    sheet = workbook.worksheets[0]
    total = sheet.max_row - 1 if sheet.max_row else None

    def lines() -> Iterator[list[Any]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                yield list(values)
        finally:
            workbook.close()

    return _rows_after_header(lines(), total=total)


def _rows_after_header(lines: Iterator[list[Any]], *, total: int | None) -> CardFile:
    header = next(lines, None)
    if header is None:
        raise CardFileError("文件是空的，没有表头")
    fields = [HEADERS.get(str(cell).strip().lstrip("\ufeff")) if cell else None for cell in header]
    missing = [name for name in REQUIRED if name not in fields]
    if missing:
        wanted = {field: zh for zh, field in reversed(HEADERS.items())}
        names = "、".join(wanted[name] for name in missing)
        raise CardFileError(f"表头缺少必填列：{names}")

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        row_no = 0
        for cells in lines:
            if all(cell is None or str(cell).strip() == "" for cell in cells):
                continue
            row_no += 1
            yield (
                row_no,
                {
                    field: cell
                    for field, cell in zip(fields, cells, strict=False)
                    if field is not None
                },
            )

    return CardFile(rows(), total)


def _csv_encoding(first: bytes) -> str:
    """BOM: UTF-8; else UTF-8 when the first chunk (with its Chinese header) decodes so."""
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(first, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"
