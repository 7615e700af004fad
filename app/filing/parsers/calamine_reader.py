"""Old Excel (.xls) and OpenDocument (.ods) workbooks, read with python-calamine.

Many bureaus' templates and WPS still save these. calamine (Rust) holds a sheet's used
range in memory whole, one slot per cell from the first used cell to the last, so:
- the upload's size limit bounds the file, and an .ods (a zip) passes the zip limits of
  an .xlsx;
- an .ods may declare a cell repeated a million times in a few bytes: its content.xml is
  scanned first (streamed, entities refused) and a sheet whose used range would exceed
  the limits below is refused before calamine expands it;
- an .xls is bounded by its format (65,536 rows by 256 columns, about 1 GB at worst in
  calamine), and the same limits are checked on the loaded sheet before Python reads it.
As for .xlsx, the first sheet that has the header is read; calamine's messages are not
passed on (they may quote the file).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from typing import IO

from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from app.filing.parsers.base import FileFormatError, RawRow, UploadRows
from app.filing.parsers.tabular import Header, first_with_header, raw_rows
from app.filing.parsers.xlsx_reader import check_zip_limits

# One file's rows are bounded at intake (200,000); a sheet far beyond it is not read at all.
MAX_SHEET_ROWS = 210_000
MAX_SHEET_COLUMNS = 200
# 200,000 rows of the format's 24 columns and a few of the city's own, as a dense range.
MAX_SHEET_CELLS = 8_000_000

_NOT_READABLE = {
    "xls": "文件不是有效的 Excel 97-2003 工作簿（.xls），可能已损坏、加了密码或是其他类型的"
    "文件改了扩展名。请在 Excel 或 WPS 中另存为「Excel 工作簿（*.xlsx）」后重新上传",
    "ods": "文件不是有效的 OpenDocument 表格（.ods），可能已损坏或是其他类型的文件改了扩展名。"
    "请另存为「Excel 工作簿（*.xlsx）」后重新上传",
}
_TOO_LARGE = (
    f"工作表过大（超过 {MAX_SHEET_ROWS} 行、{MAX_SHEET_COLUMNS} 列或 {MAX_SHEET_CELLS} 个单元格），"
    "请删去多余的行列或拆分为多个文件后分别上传"
)
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_SHEET, _ROW = f"{_TABLE}table", f"{_TABLE}table-row"
_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
_ROWS_REPEATED = f"{_TABLE}number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE}number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE}value-type"


def read_xls(stream: IO[bytes]) -> UploadRows:
    return _read(stream, "xls")


def read_ods(stream: IO[bytes]) -> UploadRows:
    check_zip_limits(stream, _NOT_READABLE["ods"])
    stream.seek(0)
    try:
        check_ods_extent(stream)
    except FileFormatError:
        raise
    except Exception as exc:  # not a zip with a well-formed, entity-free content.xml
        raise FileFormatError("malformed_file", _NOT_READABLE["ods"]) from exc
    stream.seek(0)
    return _read(stream, "ods")


def check_ods_extent(stream: IO[bytes]) -> None:
    """Refuse an .ods whose sheets' used ranges, repeats expanded, exceed our limits.

    Empty repeated cells (LibreOffice writes a million to fill a sheet) do not count: like
    calamine, only cells with a value or content widen the used range.
    """
    with zipfile.ZipFile(stream) as archive, archive.open("content.xml") as content:
        row = column = rows_repeated = 0
        last_row = last_column = 0
        for event, element in iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _SHEET:
                    row, last_row, last_column = 0, 0, 0
                elif tag == _ROW:
                    column, rows_repeated = 0, _count(element.get(_ROWS_REPEATED))
                continue
            if tag in _CELLS:
                repeated = _count(element.get(_COLUMNS_REPEATED))
                if element.get(_VALUE_TYPE) is not None or len(element):
                    last_row = row + rows_repeated
                    last_column = max(last_column, column + repeated)
                    _check_extent(last_row, last_column)
                column += repeated
                element.clear()
            elif tag == _ROW:
                row += rows_repeated
                element.clear()


def _count(attribute: str | None) -> int:
    return 1 if attribute is None else max(int(attribute), 1)


def _check_extent(rows: int, columns: int) -> None:
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS or rows * columns > MAX_SHEET_CELLS:
        raise FileFormatError("file_too_large", _TOO_LARGE)


def _read(stream: IO[bytes], kind: str) -> UploadRows:
    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        lines, header = first_with_header(_sheets(workbook))
    except FileFormatError:
        raise
    except Exception as exc:  # anything calamine says about an untrusted file
        raise FileFormatError("malformed_file", _NOT_READABLE[kind]) from exc
    return UploadRows(_rows(lines, header, kind), unknown_headers=header.unknown)


def _sheets(workbook: CalamineWorkbook) -> Iterator[Iterator[Sequence[object]]]:
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.typ is SheetTypeEnum.WorkSheet:
            yield _lines(workbook.get_sheet_by_index(index))


def _lines(sheet: CalamineSheet) -> Iterator[Sequence[object]]:
    """The sheet's rows from its first line (calamine's rows start there, blank or not)."""
    _check_extent(sheet.total_height, sheet.total_width)
    yield from sheet.iter_rows()


def _rows(lines: Iterator[Sequence[object]], header: Header, kind: str) -> Iterator[RawRow]:
    try:
        yield from raw_rows(lines, header)
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError("malformed_file", _NOT_READABLE[kind]) from exc
