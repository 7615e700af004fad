"""JSON files (`{"records": [...]}`), streamed record by record.

We stream rather than `json.load` because a 50 MB file of records becomes several hundred
MB of Python objects. The file's outer shape (one object holding only the `records` array)
is read here a token at a time; each record is decoded whole by the standard library's C
decoder (`raw_decode`) from a text buffer refilled as it runs dry, so memory holds about a
buffer's worth of the file however long it is. (ijson took four times as long: every event
of every record passed through Python, and its event prefixes grew with the nesting, so a
small file of deeply nested arrays exhausted the memory.) Parser messages are not passed
on: they quote the file's text, which may hold ID numbers.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, NoReturn

from app.filing.parsers.base import FileFormatError, RawRow, UploadRows
from app.filing.parsers.json_record import flatten_record

_NOT_JSON = "文件不是有效的 JSON，可能已损坏或是其他类型的文件改了扩展名，请检查后重新上传"
_NOT_SUBMISSION = '内容不符合备案文件格式：顶层应为只含 "records" 数组的对象，如 {"records": [...]}'

_RECORDS = "records"
_READ_BYTES = 1 << 18  # a refill; a record longer than the buffer doubles it
# A record is a few kB (its cells are bounded): one past this is refused rather than held.
_MAX_VALUE_CHARS = 1 << 23
_SPACE = re.compile(r"[ \t\n\r]*")
# A `\uD800`-`\uDFFF` escape: the decoder lets an unpaired one through as a lone surrogate,
# which no UTF-8 text can hold (yajl made it "?"; we refuse the file, as for bad UTF-8).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]")
_VALUE_STARTS = frozenset('[{"-0123456789tfn')


def read_json(stream: IO[bytes]) -> UploadRows:
    return UploadRows(_rows(_Text(stream)))


def _rows(text: _Text) -> Iterator[RawRow]:
    try:
        for number, record in enumerate(_records(text), start=1):
            fields, issues = flatten_record(record)
            yield RawRow(number, fields, issues)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError among them
        raise FileFormatError("malformed_file", _NOT_JSON) from exc


def _records(text: _Text) -> Iterator[object]:
    """The items of the `records` array, checking the outer shape around them."""
    first = text.next_char()
    if first != "{":
        # Another JSON value, or no JSON at all.
        raise _not_submission() if first and first in _VALUE_STARTS else ValueError(first)
    _expect(text, '"')
    text.back()
    if text.value() != _RECORDS:
        raise _not_submission()
    _expect(text, ":")
    _expect(text, "[")
    separator = text.next_char()
    if separator != "]":
        text.back()
    while separator != "]":
        yield text.value()
        separator = text.next_char()
        if separator not in (",", "]"):
            raise ValueError("expected , or ] after a record")
    _expect(text, "}")
    if text.next_char() != "":
        raise ValueError("text after the object")


def _expect(text: _Text, char: str) -> None:
    found = text.next_char()
    if found != char:
        raise _not_submission() if found else ValueError("cut short")


def _not_submission() -> FileFormatError:
    return FileFormatError("malformed_file", _NOT_SUBMISSION)


class _Text:
    """The file's text: a buffer refilled from the stream, and a position in it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()  # a Windows BOM goes
        self._json = json.JSONDecoder(parse_constant=_no_constant)
        self._buffer, self._at, self._ended = "", 0, False
        self._read_bytes = _READ_BYTES

    def next_char(self) -> str:
        """The next character that is not white space ("" at the end), consumed."""
        while True:
            self._at = _SPACE.match(self._buffer, self._at).end()  # type: ignore[union-attr]
            if self._at < len(self._buffer):
                self._at += 1
                return self._buffer[self._at - 1]
            if self._ended:
                return ""
            self._refill()

    def back(self) -> None:
        """Give back the character `next_char` consumed."""
        self._at -= 1

    def value(self) -> object:
        """The JSON value that starts here (after white space), consumed."""
        if self.next_char() == "":
            raise ValueError("cut short")
        self.back()
        while True:
            start = self._at
            try:
                value, end = self._json.raw_decode(self._buffer, start)
            except ValueError:
                if self._ended:
                    raise
                self._refill(grow=True)  # it may run on past the buffer
                continue
            if end == len(self._buffer) and not self._ended:
                self._refill(grow=True)  # a number may go on past the buffer
                continue
            if end - start > _MAX_VALUE_CHARS:
                raise ValueError("a record longer than any submission's")
            if _SURROGATE_ESCAPE.search(self._buffer, start, end):
                _check_surrogates(value)
            self._at = end
            return value

    def _refill(self, *, grow: bool = False) -> None:
        if grow and self._at == 0:
            # The buffer holds one value and it is not done yet (or is not JSON).
            if len(self._buffer) >= _MAX_VALUE_CHARS:
                raise ValueError("a record longer than any submission's")
            self._read_bytes *= 2
        data = self._stream.read(self._read_bytes)
        self._ended = not data
        self._buffer = self._buffer[self._at :] + self._decoder.decode(data, final=not data)
        self._at = 0


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity, which Python would accept


def _check_surrogates(value: object) -> None:
    """Raise UnicodeEncodeError (a ValueError) if `value` holds a lone surrogate."""
    json.dumps(value, ensure_ascii=False).encode()
