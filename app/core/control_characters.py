"""Control characters in a request's path or query string: refused (422 `invalid_text`)
before any route sees them, so that none reaches a query (PostgreSQL refuses NUL: a 500).

One check for every route: no path segment or query parameter is multi-line text. A request
without a query string and with a plain path pays one regex search of its path.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.problems import problem

# U+0000–U+001F and U+007F, raw or percent-encoded.
_RAW = re.compile(r"[\x00-\x1f\x7f]")
_ENCODED = re.compile(rb"[\x00-\x1f\x7f]|%(?:[01][0-9a-fA-F]|7[fF])")
MESSAGE = "不能包含控制字符（如换页、响铃等不可见字符）"


class ControlCharacterGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = _offending_field(scope)
            if field is not None:
                errors = [{"field": field, "code": "invalid_text", "message": MESSAGE}]
                response = problem(
                    422,
                    "invalid_text",
                    "Invalid input",
                    "请求内容有误：" + MESSAGE,
                    extra={"errors": errors},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _offending_field(scope: Scope) -> str | None:
    if _RAW.search(scope["path"]):
        return "path"
    query: bytes = scope.get("query_string", b"")
    if not query or not _ENCODED.search(query):
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if _RAW.search(name) or _RAW.search(value):
            return "query" if _RAW.search(name) else name
    return "query"
