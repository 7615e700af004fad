"""Reading city submission files (JSON, CSV, XLSX, XLS, ODS) into raw rows, whatever the format.

`parse_upload` checks what it can up front (file type, header, the zip's sizes) and raises
`FileFormatError`; rows are then read lazily, and a file that breaks further on raises
`FileFormatError` while iterating. Parsing blocks: call it from a worker thread.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import IO

from app.filing.parsers.base import FileFormatError, RawRow, RawValue, RowIssue, UploadRows
from app.filing.parsers.calamine_reader import read_ods, read_xls
from app.filing.parsers.csv_reader import read_csv
from app.filing.parsers.json_reader import read_json
from app.filing.parsers.xlsx_reader import read_xlsx

__all__ = [
    "SUPPORTED_SUFFIXES",
    "FileFormatError",
    "RawRow",
    "RawValue",
    "RowIssue",
    "UploadRows",
    "parse_upload",
]

_READERS = {
    ".json": read_json,
    ".csv": read_csv,
    ".xlsx": read_xlsx,
    ".xls": read_xls,
    ".ods": read_ods,
}
SUPPORTED_SUFFIXES = tuple(_READERS)


def parse_upload(stream: IO[bytes], filename: str) -> UploadRows:
    """The rows of the file in `stream`, by the type its name says (workbooks need seeking)."""
    suffix = PurePath(filename).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        shown = f"「{suffix}」" if suffix else ""
        raise FileFormatError(
            "unsupported_file_type",
            f"不支持的文件类型{shown}，请上传 .xlsx、.xls、.ods、.csv 或 .json 文件",
        )
    return reader(stream)
