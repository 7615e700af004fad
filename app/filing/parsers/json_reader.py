"""JSON files (`{"records": [...]}`), streamed record by record with ijson.

We stream rather than `json.load` because a 50 MB file of records becomes several hundred
MB of Python objects; ijson's C backend yields one record at a time, so memory holds one
record however long the file. Parser messages are not passed on: they quote the file's
text, which may hold ID numbers.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import ijson  # type: ignore[import-untyped]
from ijson.common import ObjectBuilder  # type: ignore[import-untyped]

from app.filing.parsers.base import FileFormatError, RawRow, UploadRows
from app.filing.parsers.json_record import flatten_record

_NOT_JSON = "文件不是有效的 JSON，可能已损坏或是其他类型的文件改了扩展名，请检查后重新上传"
_NOT_SUBMISSION = '内容不符合备案文件格式：顶层应为只含 "records" 数组的对象，如 {"records": [...]}'

Event = tuple[str, str, Any]
T = TypeVar("T")


class _End:
    """Marks the end of the records array (a record itself may be JSON null)."""


def read_json(stream: IO[bytes]) -> UploadRows:
    events: Iterator[Event] = ijson.parse(_WithoutBom(stream), use_float=True)
    _guarded(_open_records, events)
    return UploadRows(_rows(events))


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


def _open_records(events: Iterator[Event]) -> None:
    """Consume `{"records": [`; anything else at the top is not a submission file."""
    if next(events, None) != ("", "start_map", None):
        raise FileFormatError("malformed_file", _NOT_SUBMISSION)
    if next(events, None) != ("", "map_key", "records"):
        raise FileFormatError("malformed_file", _NOT_SUBMISSION)
    if next(events, None) != ("records", "start_array", None):
        raise FileFormatError("malformed_file", _NOT_SUBMISSION)


def _rows(events: Iterator[Event]) -> Iterator[RawRow]:
    number = 0
    while not isinstance(record := _guarded(_next_record, events), _End):
        number += 1
        fields, issues = flatten_record(record)
        yield RawRow(number, fields, issues)
    _guarded(_close_file, events)


def _next_record(events: Iterator[Event]) -> object:
    _, event, value = next(events)
    if event == "end_array":
        return _End()
    builder = ObjectBuilder()
    builder.event(event, value)
    depth = 1 if event in ("start_map", "start_array") else 0
    while depth:
        _, event, value = next(events)
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
    return builder.value


def _close_file(events: Iterator[Event]) -> None:
    """After the records only the closing brace may follow (ijson refuses trailing text)."""
    if next(events, None) != ("", "end_map", None) or next(events, None) is not None:
        raise FileFormatError("malformed_file", _NOT_SUBMISSION)


def _guarded(step: Callable[[Iterator[Event]], T], events: Iterator[Event]) -> T:
    try:
        return step(events)
    except (ijson.JSONError, UnicodeDecodeError, StopIteration) as exc:
        raise FileFormatError("malformed_file", _NOT_JSON) from exc
