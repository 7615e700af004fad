"""Receiving a submission upload: the multipart body streamed to a spooled temporary file.

Starlette's form parsing would read the whole body, however large, before our code runs.
Here the `file` part goes to a spooled temporary file (memory up to 1 MB, then disk) while
it is hashed (SHA-256) and counted; the moment it passes the configured limit we stop
reading and answer 413. The parser's work (hashing, writing) runs in a worker thread, so
the event loop only moves bytes.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO, Annotated, Any

import anyio.to_thread
from fastapi import Depends, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.core.body_limit import upload_too_large
from app.core.errors import InvalidInput, field_error
from app.core.settings import get_settings
from app.filing.errors import invalid_field

SPOOL_BYTES = 1024 * 1024
FIELD_BYTES = 1024  # `period` and any other small field
_PATH_SEPARATORS = re.compile(r"[\\/]")
_NOT_MULTIPART = "请以 multipart/form-data 表单上传文件 file 和期次 period"
_BROKEN_FORM = "上传的表单内容不完整或已损坏，请重新上传"


@dataclass(frozen=True)
class Upload:
    """A received file: a seekable stream positioned at its start, its name, hash and size."""

    stream: IO[bytes]
    filename: str
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class SubmissionForm:
    upload: Upload
    period: str


def hashed_upload(stream: IO[bytes], filename: str) -> Upload:
    """An `Upload` of a seekable file already at hand (the command line's)."""
    hasher, size = hashlib.sha256(), 0
    while chunk := stream.read(SPOOL_BYTES):
        hasher.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return Upload(stream, filename, hasher.hexdigest(), size)


@dataclass(frozen=True)
class ReceivedForm:
    """A multipart body as received: its file, if any, and its small fields."""

    upload: Upload | None
    fields: dict[str, str]

    def submission(self) -> SubmissionForm:
        """The `file` and `period` a submission needs, or 422 naming what is missing."""
        period = self.fields.get("period", "").strip()
        errors = []
        if self.upload is None:
            errors.append(field_error("file", "required", "请选择要上传的备案文件"))
        if not period:
            errors.append(field_error("period", "required", "请填写报送期次，如 2026Q4"))
        if errors:
            detail = "请求内容不完整：" + "；".join(e["message"] for e in errors)
            raise InvalidInput(detail, errors=errors)
        assert self.upload is not None
        return SubmissionForm(self.upload, period)


async def received_form(request: Request) -> AsyncIterator[ReceivedForm]:
    """A multipart request's body, streamed under the size cap; the file is closed after
    the request."""
    reader = _FormReader(get_settings().max_upload_mb * 1024 * 1024)
    try:
        await reader.read(request)
        yield reader.received()
    finally:
        reader.file.close()


def submission_form(
    received: Annotated[ReceivedForm, Depends(received_form)],
) -> SubmissionForm:
    return received.submission()


SubmissionFormDep = Annotated[SubmissionForm, Depends(submission_form)]


def is_multipart(request: Request) -> bool:
    kind, _ = parse_options_header(request.headers.get("content-type"))
    return bool(kind == b"multipart/form-data")


class _FormReader:
    def __init__(self, limit_bytes: int) -> None:
        self.limit = limit_bytes
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self.hasher = hashlib.sha256()
        self.size = 0
        self.filename: str | None = None
        self.fields: dict[str, bytearray] = {}
        self._header = (bytearray(), bytearray())
        self._disposition = b""
        self._sink: bytearray | IO[bytes] | None = None  # where the current part's data goes

    async def read(self, request: Request) -> None:
        kind, params = parse_options_header(request.headers.get("content-type"))
        boundary = params.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise invalid_field("file", "required", _NOT_MULTIPART)
        # The body as a whole is bounded by `core.body_limit`; the file itself, here.
        parser = MultipartParser(boundary, self._callbacks())
        try:
            async for chunk in request.stream():
                await anyio.to_thread.run_sync(parser.write, chunk)
            parser.finalize()
        except FormParserError as exc:
            raise invalid_field("file", "malformed_form", _BROKEN_FORM) from exc

    def received(self) -> ReceivedForm:
        fields = {k: v.decode("utf-8", "replace") for k, v in self.fields.items()}
        if self.filename is None:
            return ReceivedForm(None, fields)
        self.file.seek(0)
        upload = Upload(self.file, self.filename, self.hasher.hexdigest(), self.size)
        return ReceivedForm(upload, fields)

    def _callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._header[0].extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header[1].extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
        }

    def _part_begin(self) -> None:
        self._disposition, self._sink = b"", None

    def _header_end(self) -> None:
        name, value = self._header
        if bytes(name).lower() == b"content-disposition":
            self._disposition = bytes(value)
        self._header = (bytearray(), bytearray())

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if name == "file" and filename is not None:
            if self.filename is not None:
                raise invalid_field("file", "too_many_files", "一次只能上传一个文件")
            # Old browsers send the whole client path; keep the last part.
            base = _PATH_SEPARATORS.split(filename.decode("utf-8", "replace"))[-1]
            self.filename = base[-255:]
            self._sink = self.file
        elif filename is None and len(self.fields) < 10:
            self._sink = self.fields.setdefault(name, bytearray())

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._sink is self.file:
            self.size += len(chunk)
            if self.size > self.limit:
                raise upload_too_large(self.limit)
            self.hasher.update(chunk)
            self.file.write(chunk)
        elif isinstance(self._sink, bytearray):
            if len(self._sink) + len(chunk) > FIELD_BYTES:
                raise invalid_field("period", "too_long", "表单字段过长")
            self._sink.extend(chunk)
