"""JSON files (`{"records": [...]}`), streamed record by record with ijson.

We stream rather than `json.load` because a 50 MB file of records becomes several hundred
MB of Python objects; ijson yields one record at a time, so memory holds one record however
long the file. Its C backend parses the events and builds each record; a thin generator in
between checks the file's outer shape (one object holding only the `records` array). Parser
messages are not passed on: they quote the file's text, which may hold ID numbers.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO, Any

import ijson  # type: ignore[import-untyped]

from app.filing.parsers.base import FileFormatError, RawRow, UploadRows
from app.filing.parsers.json_record import flatten_record

_NOT_JSON = "文件不是有效的 JSON，可能已损坏或是其他类型的文件改了扩展名，请检查后重新上传"
_NOT_SUBMISSION = '内容不符合备案文件格式：顶层应为只含 "records" 数组的对象，如 {"records": [...]}'

Event = tuple[str, str, Any]
_RECORDS = "records"
# The events outside the records, in the only order a submission file has them.
_OUTER = (
    ("", "start_map", None),
    ("", "map_key", _RECORDS),
    (_RECORDS, "start_array", None),
    (_RECORDS, "end_array", None),
    ("", "end_map", None),
)


def read_json(stream: IO[bytes]) -> UploadRows:
    events = _outer_shape_checked(ijson.parse(_WithoutBom(stream), use_float=True))
    return UploadRows(_rows(ijson.items(events, "records.item")))


def _rows(records: Iterator[object]) -> Iterator[RawRow]:
    number = 0
    try:
        for record in records:
            number += 1
            fields, issues = flatten_record(record)
            yield RawRow(number, fields, issues)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise FileFormatError("malformed_file", _NOT_JSON) from exc


def _outer_shape_checked(events: Iterator[Event]) -> Iterator[Event]:
    """Pass the events on, refusing a file whose outer events are not exactly `_OUTER`.

    Events inside a record have a longer prefix (`records.item...`) and pass unchecked.
    ijson itself refuses a file cut short or with text after the closing brace.
    """
    outer = 0
    for event in events:
        if event[0] in ("", _RECORDS):
            if outer == len(_OUTER) or event != _OUTER[outer]:
                raise FileFormatError("malformed_file", _NOT_SUBMISSION)
            outer += 1
        yield event
    if outer != len(_OUTER):
        raise FileFormatError("malformed_file", _NOT_SUBMISSION)


class _WithoutBom:
    """The stream minus a leading UTF-8 BOM, which Windows editors add and yajl refuses."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        first = stream.read(len(codecs.BOM_UTF8))
        self._pending = first.removeprefix(codecs.BOM_UTF8)

    def read(self, size: int = -1) -> bytes:
        if not self._pending:
            return self._stream.read(size)
        if size < 0:
            data, self._pending = self._pending + self._stream.read(), b""
            return data
        data, self._pending = self._pending[:size], self._pending[size:]
        return data
