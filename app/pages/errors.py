"""Errors on pages: a Chinese HTML page instead of problem+json, for page routes only.

The API's handlers stay as they are; each is wrapped so that a request for a page (a route
defined in `app.pages`, or an unmatched non-API path asked for by a browser) gets HTML. The API
handler still runs first, so logging of unexpected errors stays in one place.

A page refuses a form by raising, like the API: the exception leaves the route, so the
request's session rolls back whatever was written before the refusal. A `FormRefused` carries
how to show the form again; this handler shows it on a session of its own.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.core.db import get_session
from app.core.errors import AppError
from app.core.logging import request_id_of
from app.core.validation_zh import message_zh
from app.field_labels import FIELD_LABELS
from app.pages.rendering import render
from app.pages.session import LoginRequired, clear_session_cookie

log = logging.getLogger("bluecard.pages")

PAGE_TAG = "pages"
_PAGES_PACKAGE = __name__.rpartition(".")[0] + "."
_NOT_PAGES = ("/api/", "/openapi.json", "/docs", "/healthz", "/readyz")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# An ID number however typed: full-width digits, spaces or hyphens between the groups.
_ID_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\uff0d]")
_ID_DIGITS = re.compile(r"[0-9]{15}")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# When even the error page fails (a broken template, the database gone), this still answers.
_BARE_ERROR_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>请求无法完成</title>'
    "</head><body><h1>请求无法完成</h1><p>系统暂时无法显示此页面，请稍后重试。</p>"
    '<p><a href="/">返回首页</a></p></body></html>'
)

Handler = Callable[[Request, Any], Awaitable[Response] | Response]

_TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的操作",
    409: "操作冲突",
    412: "记录已被他人修改",
    413: "文件过大",
    422: "提交的内容有误",
    428: "缺少版本信息",
    429: "操作过于频繁",
    500: "系统内部错误",
    503: "服务暂时不可用",
}
_DETAILS = {
    403: "您的岗位无权访问此页面。如需权限，请联系省级管理员。",
    404: "您要找的页面或记录不存在。请检查网址，或从上方导航重新进入。",
    405: "此页面不支持该操作，请从页面上的按钮进入。",
    409: "该记录的状态已经变化，请刷新页面查看最新状态后再操作。",
    422: "提交的内容不完整或格式有误，请返回修改后重新提交。",
    429: "操作过于频繁，请稍等片刻再试。",
    500: "系统出现内部错误，已记录在案。请稍后重试；如仍有问题，请联系管理员并提供请求编号。",
    503: "数据库暂时不可用，请稍后重试。",
}

# Form field names as the pages label them.


@dataclass(frozen=True)
class Retry:
    """What a refused form is shown again with: the message, the status, the user's input."""

    error: str
    status: int
    form: dict[str, Any]


ShowAgain = Callable[[Session, Retry], Response]


class FormRefused(AppError):
    """A page form refused. Raised, never returned, so that nothing of the request stays;
    the page handler then calls `show` on a fresh session to show the form again. Input
    that holds an ID number is never shown back."""

    code, title = "form_refused", "Form refused"

    def __init__(
        self,
        show: ShowAgain,
        *,
        error: str,
        status: int,
        form: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.show = show
        self.retry = Retry(error, status, {k: shown_again(v) for k, v in (form or {}).items()})


def shown_again(value: Any) -> Any:
    """A form value to show back: blank when it holds an ID number, however typed."""
    if not isinstance(value, str):
        return value
    digits = _ID_SEPARATORS.sub("", value.translate(_FULL_WIDTH_DIGITS))
    return "" if _ID_DIGITS.search(digits) else value


def install_page_errors(app: FastAPI) -> None:
    """Wrap every installed handler so that page requests get a Chinese HTML page."""
    for exc_class, previous in list(app.exception_handlers.items()):
        app.exception_handlers[exc_class] = _for_pages(previous)


def is_page_request(request: Request) -> bool:
    route = request.scope.get("route")
    if route is not None:
        endpoint = getattr(route, "endpoint", None)
        return getattr(endpoint, "__module__", "").startswith(_PAGES_PACKAGE)
    path = request.url.path
    wants_html = "text/html" in request.headers.get("accept", "")
    return wants_html and not any(path == p or path.startswith(p) for p in _NOT_PAGES)


def _for_pages(previous: Handler) -> Handler:
    async def handler(request: Request, exc: Any) -> Response:
        api_response = previous(request, exc)
        if inspect.isawaitable(api_response):
            api_response = await api_response
        if not is_page_request(request):
            return api_response
        if isinstance(exc, LoginRequired):
            return _to_login(request, notice=exc.notice)
        try:
            if isinstance(exc, FormRefused):
                return await run_in_threadpool(_show_again, request, exc)
            return _error_page(request, exc, api_response.status_code)
        except Exception:
            log.exception("error page failed to render", extra={"status": api_response.status_code})
            return HTMLResponse(_BARE_ERROR_PAGE, status_code=api_response.status_code)

    return handler


def _show_again(request: Request, refused: FormRefused) -> Response:
    """The form again, on a session of its own (the request's was rolled back), committed
    like any page that is shown."""
    provider = request.app.dependency_overrides.get(get_session, get_session)
    with contextmanager(provider)() as session:
        return refused.show(session, refused.retry)


def _to_login(request: Request, *, notice: str) -> Response:
    query = {"next": request.url.path} if request.method == "GET" else {}
    if notice:
        query["notice"] = notice
    target = str(request.app.url_path_for("page_login_form"))
    response = RedirectResponse(f"{target}?{urlencode(query)}" if query else target, 303)
    if notice == "expired":
        clear_session_cookie(response)
    return response


def _error_page(request: Request, exc: Any, status: int) -> Response:
    detail = _DETAILS.get(status, "请求无法完成，请返回上一页重试。")
    if isinstance(exc, AppError) and _CJK.search(exc.detail):
        detail = exc.detail
    field_messages: list[str] = []
    if isinstance(exc, RequestValidationError):
        field_messages = [form_message(e) for e in exc.errors()]
    elif isinstance(exc, AppError):
        field_messages = [e["message"] for e in getattr(exc, "errors", [])]
    context = {
        "status": status,
        "title": _TITLES.get(status, "请求无法完成"),
        "detail": detail,
        "field_messages": [m for m in field_messages if m != detail],
        "request_id": request_id_of(request) if status >= 500 else None,
    }
    response = render(request, "error.html", context, status_code=status)
    retry_after = exc.headers.get("Retry-After") if isinstance(exc, AppError) else None
    if retry_after:
        response.headers["Retry-After"] = retry_after
    return response


def form_message(error: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """A form's validation error in Chinese, naming the field as the form labels it
    (`labels`, over the shared `FIELD_LABELS`). The input is never echoed back."""
    return message_zh(error, {**FIELD_LABELS, **(labels or {})}) + "。"


def first_form_message(exc: ValidationError, labels: Mapping[str, str] | None = None) -> str:
    return form_message(exc.errors()[0], labels)
