"""What CSV and XLSX share: mapping the header row and turning cells into a raw row."""

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


@dataclass(frozen=True)
class Header:
    columns: tuple[tuple[int, Column], ...]  # (cell index, column) for each known header
    unknown: tuple[str, ...]


def read_header(cells: Sequence[object]) -> Header:
    """Map header cells to columns; refuse a header without 操作 and 身份证号 or with repeats."""
    known: list[tuple[int, Column]] = []
    unknown: list[str] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
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
            f"表头缺少必需的列：{'、'.join(missing)}。请使用模板的第一行作为表头",
        )
    return Header(tuple(known), tuple(unknown))


def raw_rows(lines: Iterable[Sequence[object]], header: Header) -> Iterator[RawRow]:
    """Yield the data rows after the header, numbered from 1; blank rows count but yield nothing.

    Counting blank rows keeps row N on spreadsheet line N + 1, where the clerk will look;
    and they count against the row limit, or a sheet of blank rows would be walked for ever.
    """
    for number, cells in enumerate(lines, start=1):
        if number > base.MAX_ROWS:
            raise too_many_rows()
        fields = {
            column.field: _raw_value(cells[index] if index < len(cells) else None, column)
            for index, column in header.columns
        }
        if any(value not in (None, []) for value in fields.values()):
            yield RawRow(number, fields)


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
