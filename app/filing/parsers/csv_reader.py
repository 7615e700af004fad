"""CSV files as Excel and city systems save them: UTF-8 (with or without BOM) or GB18030.

Read in chunks through an incremental decoder, so memory holds one line at a time however
large the file. The encoding is decided on the first chunk, which holds the Chinese header.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import IO

from app.filing.parsers.base import FileFormatError, UploadRows
from app.filing.parsers.tabular import find_header, raw_rows

CHUNK_BYTES = 64 * 1024

_NOT_TEXT = (
    "文件不是文本格式的 CSV（可能是其他类型的文件改了扩展名，或保存成了 UTF-16 编码）。"
    "请在 Excel 中另存为「CSV UTF-8（逗号分隔）」后重新上传"
)
_BAD_ENCODING = "CSV 文件中有无法识别的字符。请另存为 UTF-8 或 GB18030 编码后重新上传"


def read_csv(stream: IO[bytes]) -> UploadRows:
    first = stream.read(CHUNK_BYTES)
    if b"\x00" in first:
        raise FileFormatError("malformed_file", _NOT_TEXT)
    lines = _decoded_lines(first, stream, detect_encoding(first))
    records = _records(lines)
    records = _nonempty(records)
    header = find_header(records)
    return UploadRows(raw_rows(records, header), unknown_headers=header.unknown)


def _nonempty(records: Iterator[list[str]]) -> Iterator[list[str]]:
    """The records, refusing a file that has none."""
    first = next(records, None)
    if first is None:
        raise FileFormatError("malformed_file", "CSV 文件是空的，没有表头")
    yield first
    yield from records


def detect_encoding(first: bytes) -> str:
    """BOM: UTF-8. Else strict UTF-8 if the first chunk decodes as such; else GB18030.

    GB18030 text of any length almost never decodes as UTF-8, and the header alone is
    Chinese, so the first chunk decides reliably. `final=False` lets a chunk end mid-character.
    """
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")(errors="strict").decode(first, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _records(lines: Iterator[str]) -> Iterator[list[str]]:
    try:
        yield from csv.reader(lines)
    except UnicodeDecodeError as exc:
        raise FileFormatError("malformed_file", _BAD_ENCODING) from exc
    except csv.Error as exc:
        raise FileFormatError("malformed_file", _NOT_TEXT) from exc


def _decoded_lines(first: bytes, stream: IO[bytes], encoding: str) -> Iterator[str]:
    """Lines ending in their own newline, as `csv.reader` needs for quoted multi-line cells.

    Only new text is split, and a long line is gathered in parts, so work stays linear.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    parts: list[str] = []
    chunk = first
    while chunk:
        *complete, tail = decoder.decode(chunk).split("\n")
        for piece in complete:
            parts.append(piece)
            yield "".join(parts) + "\n"
            parts = []
        parts.append(tail)
        chunk = stream.read(CHUNK_BYTES)
    parts.append(decoder.decode(b"", final=True))
    if last := "".join(parts):
        yield last
