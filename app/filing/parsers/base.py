"""What every parser gives back: raw rows, and the one error for a file we cannot read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

# A cell as its file stores it: CSV gives text, XLSX numbers and datetimes too, JSON
# booleans and numbers. Cells of list columns (`honors[].year`) are lists of these.
Scalar = str | int | float | bool | datetime | None
RawValue = Scalar | list[Scalar]

# What one file may hold, blank lines and cells included (a city files thousands of rows;
# the benchmark 100,000; the template has some twenty columns).
MAX_ROWS = 200_000
MAX_COLUMNS = 200


class FileFormatError(Exception):
    """The file as a whole cannot be read; no row is trustworthy.

    Codes: `unsupported_file_type`, `malformed_file`, `file_too_large` (an XLSX that would
    unpack beyond our limits), `missing_columns`, `duplicate_columns`, `too_many_rows`,
    `too_many_columns`.
    """

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh


@dataclass(frozen=True)
class RowIssue:
    """A shape problem found while reading a JSON record: `unknown_field` or `invalid_type`."""

    field: str
    code: str


@dataclass(frozen=True)
class RawRow:
    """One data row: its number (data rows count from 1) and its cells by contract field.

    `sheet_row` is the row's own line in a spreadsheet or CSV file (None for JSON)."""

    row: int
    fields: dict[str, RawValue]
    issues: tuple[RowIssue, ...] = ()
    sheet_row: int | None = None


@dataclass
class UploadRows(Iterator[RawRow]):
    """The rows of a file, read lazily; the header was checked before the first row.

    `unknown_headers` lists header cells of a CSV/XLSX file that are not in the contract:
    the rows are read without them, and the caller may show them to the city.
    Iterating may still raise `FileFormatError` if the file breaks further on.
    """

    rows: Iterator[RawRow]
    unknown_headers: tuple[str, ...] = field(default=())

    def __next__(self) -> RawRow:
        return next(self.rows)


def too_many_rows() -> FileFormatError:
    message = f"文件超过 {MAX_ROWS} 行（空行也计算在内），请拆分为多个文件后分别上传"
    return FileFormatError("too_many_rows", message)


def too_many_columns() -> FileFormatError:
    message = f"文件超过 {MAX_COLUMNS} 列（空列也计算在内），请使用模板的列"
    return FileFormatError("too_many_columns", message)
