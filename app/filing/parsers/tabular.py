"""What the spreadsheet formats share: finding the header, mapping it, turning cells into rows.

Cities fill their own copies of the template: a merged title row and a 填报单位/填报日期 row
may stand above the header, blank rows between the data, and a 填表人/审核人 footer or a
note below it. The header is the first of the top `HEADER_SEARCH_ROWS` rows that holds the
required headers; the data ends at a footer row (no ID number, a footer word first). Each
row keeps the sheet's own line number (`RawRow.sheet_row`), where the officer looks in Excel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from app.core.free_text import mask_id_shaped
from app.filing.parsers import base
from app.filing.parsers.base import FileFormatError, RawRow, RawValue, Scalar, too_many_rows
from app.filing.parsers.columns import COLUMN_BY_HEADER, LIST_SEPARATORS, REQUIRED_HEADERS, Column

_SPLIT = re.compile("|".join(re.escape(separator) for separator in LIST_SEPARATORS))
_SPACES = re.compile(r"\s+")
HEADER_SEARCH_ROWS = 10
# A row that starts with one of these (and holds no ID number) ends the data.
FOOTER_WORDS = (
    *("填表人", "填报人", "制表人", "审核人", "负责人", "联系人", "联系电话"),
    *("注：", "注:"),
)
_ID_FIELD = "id_number"


@dataclass(frozen=True)
class Header:
    columns: tuple[tuple[int, Column], ...]  # (cell index, column) for each known header
    unknown: tuple[str, ...]
    sheet_row: int = 1  # the header's own line in the sheet


def find_header(lines: Iterator[Sequence[object]]) -> Header:
    """The header among the sheet's first rows, consuming `lines` up to and including it.

    The first row holding both required headers is the header; failing that, the row with
    the most known headers is checked as one, so its error names what it lacks.
    """
    best: tuple[int, int, Sequence[object]] | None = None  # (known headers, line, cells)
    for line, cells in enumerate(lines, start=1):
        texts = {_header_text(cell) for cell in cells}
        if all(required in texts for required in REQUIRED_HEADERS):
            return read_header(cells, sheet_row=line)
        known = sum(text in COLUMN_BY_HEADER for text in texts)
        if known and (best is None or known > best[0]):
            best = (known, line, cells)
        if line == HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise FileFormatError(
            "missing_columns",
            f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应含「操作」「身份证号」等列名）。"
            "请使用模板的表头",
        )
    return read_header(best[2], sheet_row=best[1])


def first_with_header(
    sheets: Iterable[Iterator[Sequence[object]]],
) -> tuple[Iterator[Sequence[object]], Header]:
    """The rows after the header of the first sheet that has one, and that header.

    Sheets without a header (notes, code lists) are passed over; when none has one, the
    first sheet's error is the file's.
    """
    first_error: FileFormatError | None = None
    for lines in sheets:
        try:
            return lines, find_header(lines)
        except FileFormatError as error:
            if error.code != "missing_columns":
                raise
            first_error = first_error or error
    raise first_error or FileFormatError("missing_columns", "工作簿中没有工作表")


def _header_text(cell: object) -> str:
    """A header cell's words: spaces and line breaks inside (「身 份 证 号」) do not count."""
    return "" if cell is None else _SPACES.sub("", str(cell))


def read_header(cells: Sequence[object], *, sheet_row: int = 1) -> Header:
    """Map header cells to columns; refuse a header without 操作 and 身份证号 or with repeats."""
    known: list[tuple[int, Column]] = []
    unknown: list[str] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        text = _header_text(cell)
        if not text:
            continue
        column = COLUMN_BY_HEADER.get(text)
        if column is None:
            unknown.append(mask_id_shaped(text))  # kept and shown: never an ID number
        elif text in seen:
            repeated.append(text)
        else:
            seen.add(text)
            known.append((index, column))
    if repeated:
        raise FileFormatError(
            "duplicate_columns", f"表头中这些列出现了不止一次：{'、'.join(repeated)}"
        )
    missing = [header for header in REQUIRED_HEADERS if header not in seen]
    if missing:
        raise FileFormatError(
            "missing_columns",
            f"表头（第 {sheet_row} 行）缺少必需的列：{'、'.join(missing)}。请使用模板的表头",
        )
    return Header(tuple(known), tuple(unknown), sheet_row)


def raw_rows(lines: Iterable[Sequence[object]], header: Header) -> Iterator[RawRow]:
    """Yield the data rows after the header up to a footer, numbered from 1, each with its
    line in the sheet; blank rows count but yield nothing.

    Counting blank rows keeps row N on the line the clerk will look at; and they count
    against the row limit, or a sheet of blank rows would be walked for ever.
    """
    for number, cells in enumerate(lines, start=1):
        if number > base.MAX_ROWS:
            raise too_many_rows()
        fields = {
            column.field: _raw_value(cells[index] if index < len(cells) else None, column)
            for index, column in header.columns
        }
        if any(value not in (None, []) for value in fields.values()):
            if fields.get(_ID_FIELD) is None and _is_footer(cells):
                return
            yield RawRow(number, fields, sheet_row=header.sheet_row + number)


def _is_footer(cells: Sequence[object]) -> bool:
    first = next((text for cell in cells if (text := _header_text(cell))), "")
    return first.startswith(FOOTER_WORDS)


def _raw_value(cell: object, column: Column) -> RawValue:
    value = _scalar(cell)
    if not column.is_list:
        return value
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in _SPLIT.split(value)]
    return [value]


def _scalar(cell: object) -> Scalar:
    """Keep what the file stored; blank text is no value; rarer cell types become text."""
    if isinstance(cell, str):
        return cell if cell.strip() else None
    if cell is None or isinstance(cell, bool | int | float | datetime):
        return cell
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)
