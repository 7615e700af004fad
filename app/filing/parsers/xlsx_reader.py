"""XLSX workbooks: the first worksheet that has the header, values as Excel stores them.

A notes sheet (填表说明) before the data sheet is passed over (`sheets.first_with_header`).

An XLSX file is a zip of XML parts, so two kinds of hostile file are refused before and
while openpyxl reads it:
- zip bombs: the zip's directory declares each part's unpacked size; we refuse a workbook
  whose parts add up to too much, or a part packed implausibly tightly, before openpyxl
  opens anything. Python's zipfile stops at the declared size, so a lying directory cannot
  unpack more than we allowed.
- XML entity tricks (billion laughs, external entities): openpyxl parses with defusedxml
  when installed (a project dependency), which refuses entity declarations; we check it
  is in use and turn its refusal into `malformed_file`.
Read-only mode streams the sheet row by row; openpyxl still loads the shared-string table
whole, which the unpacked-size limit bounds.

A sheet's extent is bounded too, blank rows and cells included: the size it declares
(`<dimension>`) is checked before any row is read, and each row and cell as it is met. The
rows are read as the XML holds them (with their numbers), not through openpyxl's
`iter_rows`, which fills every gap with blank rows: one cell at row 3,000,000 of a 5 KB
file would be walked through three million of them before anything could count it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from typing import IO

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser

from app.filing.parsers import base
from app.filing.parsers.base import (
    FileFormatError,
    RawRow,
    UploadRows,
    too_many_columns,
    too_many_rows,
)
from app.filing.parsers.tabular import Header, first_with_header, raw_rows

MAX_ZIP_ENTRIES = 10_000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Tiny parts (styles, empty sheets) may pack very tightly and are harmless.
RATIO_CHECKED_FROM_BYTES = 1024 * 1024

_NOT_XLSX = (
    "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或是其他类型的文件改了扩展名。"
    "请在 Excel 中另存为「Excel 工作簿（*.xlsx）」后重新上传"
)
_TOO_LARGE = "Excel 工作簿解压后过大，请拆分为多个文件后分别上传"


def read_xlsx(stream: IO[bytes]) -> UploadRows:
    """Read a seekable stream holding an .xlsx file."""
    if not openpyxl.DEFUSEDXML:
        raise RuntimeError("openpyxl is not using defusedxml; refusing to parse uploaded XML")
    check_zip_limits(stream)
    stream.seek(0)
    # Any failure inside openpyxl on an untrusted file means we cannot read it.
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        raise FileFormatError("malformed_file", _NOT_XLSX) from exc
    try:
        lines, header = first_with_header(_checked_lines(s) for s in workbook.worksheets)
    except FileFormatError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise FileFormatError("malformed_file", _NOT_XLSX) from exc
    return UploadRows(_rows(workbook, lines, header), unknown_headers=header.unknown)


def check_zip_limits(stream: IO[bytes], not_readable: str = _NOT_XLSX) -> None:
    """Refuse a zip that is not one, or whose declared sizes exceed our limits."""
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileFormatError("malformed_file", not_readable) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileFormatError("file_too_large", _TOO_LARGE)
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise FileFormatError("file_too_large", _TOO_LARGE)
    for entry in entries:
        packed = max(entry.compress_size, 1)
        if (
            entry.file_size >= RATIO_CHECKED_FROM_BYTES
            and entry.file_size / packed > MAX_COMPRESSION_RATIO
        ):
            raise FileFormatError("file_too_large", _TOO_LARGE)


def check_declared_extent(sheet: ReadOnlyWorksheet) -> None:
    """Refuse a sheet whose declared size (header line included) is past the limits."""
    if (sheet.max_row or 0) > base.MAX_ROWS + 1:
        raise too_many_rows()
    if (sheet.max_column or 0) > base.MAX_COLUMNS:
        raise too_many_columns()


def _checked_lines(sheet: object) -> Iterator[tuple[object, ...]]:
    """A sheet's lines, its declared extent checked once its first line is asked for."""
    assert isinstance(sheet, ReadOnlyWorksheet)
    check_declared_extent(sheet)
    yield from sheet_lines(sheet)


def sheet_lines(sheet: ReadOnlyWorksheet) -> Iterator[tuple[object, ...]]:
    """The sheet's lines from the first, values only, a gap in the numbering given as
    blank lines; refused at the first row or cell met past the limits."""
    # As openpyxl's own read-only worksheet sets up its parser (openpyxl 3.1).
    workbook = sheet.parent
    with sheet._get_source() as source:  # type: ignore[attr-defined]
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,  # type: ignore[attr-defined]
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,  # type: ignore[attr-defined]
            timedelta_formats=workbook._timedelta_formats,  # type: ignore[attr-defined]
        )
        next_line = 1
        for number, cells in parser.parse():
            if number > base.MAX_ROWS + 1:  # the header line, then the data
                raise too_many_rows()
            if number < next_line:  # a row repeated or out of order: no trustworthy line
                raise FileFormatError("malformed_file", _NOT_XLSX)
            width = max((cell["column"] for cell in cells), default=0)
            if width > base.MAX_COLUMNS:
                raise too_many_columns()
            for _ in range(next_line, number):
                yield ()
            values: list[object] = [None] * width
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            yield tuple(values)
            next_line = number + 1


def _rows(
    workbook: Workbook, lines: Iterator[Sequence[object]], header: Header
) -> Iterator[RawRow]:
    try:
        yield from raw_rows(lines, header)
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError("malformed_file", _NOT_XLSX) from exc
    finally:
        workbook.close()
