"""Exception handlers: every error leaves as application/problem+json with a stable `code`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import AppError
from app.core.logging import request_id_of
from app.core.validation_zh import api_errors

log = logging.getLogger("bluecard.errors")

PROBLEM_JSON = "application/problem+json"
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:bluecard:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra or {})
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


def install_error_handlers(app: FastAPI, *, field_labels: Mapping[str, str] | None = None) -> None:
    """`field_labels`: each request field's Chinese name, for validation messages."""
    validation_error = partial(_validation_error, labels=dict(field_labels or {}))
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _database_unavailable)  # type: ignore[arg-type]
    # Every pooled connection busy for pool_timeout: overloaded, not broken. Retry later.
    app.add_exception_handler(PoolTimeout, _database_unavailable)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, _database_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
    extra = dict(exc.extra)
    errors = getattr(exc, "errors", None)
    if errors is not None:
        extra["errors"] = errors
    return problem(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers, extra=extra)


async def _validation_error(
    _request: Request, exc: RequestValidationError, *, labels: Mapping[str, str]
) -> JSONResponse:
    # `input` is deliberately never echoed: it may hold an ID number.
    errors = api_errors(exc.errors(), labels)
    codes = {e["code"] for e in errors}
    code = codes.pop() if len(codes) == 1 and errors[0]["code"] != "required" else "invalid_input"
    if code == "malformed_json":
        return problem(
            422, code, "Malformed JSON", errors[0]["message"] + "。", extra={"errors": errors}
        )
    detail = "请求内容有误：" + "；".join(e["message"] for e in errors[:5]) + "。"
    return problem(422, code, "Invalid input", detail, extra={"errors": errors})


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else code
    return problem(exc.status_code, code, detail, detail, headers=exc.headers)


async def _database_unavailable(request: Request, exc: DBAPIError | PoolTimeout) -> JSONResponse:
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    log.error("database unavailable", extra={"error": type(cause).__name__})
    return problem(
        503,
        "database_unavailable",
        "Service unavailable",
        "数据库暂时不可用，请稍后重试。",
        headers={"Retry-After": "5"},
    )


async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
    if exc.connection_invalidated:
        return await _database_unavailable(request, exc)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback stays in the server log; the caller only gets the request id.
    log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
    return problem(
        500,
        "internal_error",
        "Internal server error",
        f"服务内部错误，请联系管理员并提供请求编号 {request_id_of(request)}。",
    )
