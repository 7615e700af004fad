"""JSON log lines, and one access line per request.

The access line holds method, route template (never the concrete path, which may carry
identifiers), status, duration, request id and caller id: never bodies or query strings.
A logged exception shows its types and frames but not its messages, whoever logs it (our
500 handler, uvicorn, a background loop): a database error's message quotes the data that
failed (PostgreSQL's "Failing row contains (...)"), and other messages may quote input.
"""

from __future__ import annotations

import json
import logging
import logging.config
import random
import re
import time
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.metrics import LATENCY, REQUESTS
from app.core.security_headers import extra_headers, with_extra_headers

access_log = logging.getLogger("bluecard.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
# The request being answered, for every log line written while it is (threads included:
# the thread pool runs each call in a copy of the caller's context).
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Stamp the id when the record is made: it may be formatted later, elsewhere."""
    record = _make_record(*args, **kwargs)
    request_id = current_request_id.get()
    if request_id is not None:
        record.request_id = request_id
    return record


# Installed on import, so that every process that loads the app (each uvicorn worker) has it.
logging.setLogRecordFactory(_record_with_request_id)
# Our lines never show the caller's source line, thread or process, so records don't gather
# them: that is most of a record's cost ("Optimization" in the logging HOWTO), and every
# request writes one.
logging._srcfile = None
logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False


# One encoder for every line: `json.dumps` with options builds a new one each call.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return _encode(line)

    def formatException(self, ei: Any) -> str:
        _type, exc, _tb = ei
        return traceback_without_messages(exc) if exc is not None else ""


def traceback_without_messages(exc: BaseException) -> str:
    """Each exception of the chain, oldest first: its frames and its type, never its text."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.extract_tb(current.__traceback__).format())
        kind = type(current)
        parts.append(f"{frames}{kind.__module__}.{kind.__qualname__}")
        current = current.__cause__ or current.__context__
    return "\n\nwhich caused:\n".join(reversed(parts))


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(log_config(level))


def request_id_of(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


class RequestLogMiddleware:
    """Pure ASGI middleware: request id in and out, one access line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request_id = _incoming_request_id(scope) or _new_request_id()
        state["request_id"] = request_id
        current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        extra = extra_headers(scope["path"])

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
                message["headers"] = with_extra_headers(headers, extra)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            labels = (scope["method"], route, str(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(seconds)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "caller_id": state.get("caller_id"),
                },
            )


def _new_request_id() -> str:
    """128 random bits: unique enough to find one request's lines, and, as nothing is
    guarded by it, from the fast generator (a uuid4 reads the OS's CSPRNG each time).
    Grouped as a UUID: 32 hex digits in a row may hold 18 decimal digits, which a scan of
    the logs for ID numbers would flag; a group has at most 12."""
    return str(uuid.UUID(int=random.getrandbits(128)))


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.match(text) else None
    return None


def log_config(level: str = "INFO") -> dict[str, Any]:
    """dictConfig for uvicorn, applied in every worker process."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
        },
    }
