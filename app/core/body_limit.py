"""Request body limits, enforced before anything reads the body (authentication included).

One ASGI middleware for every route: uploads may carry `BLUECARD_MAX_UPLOAD_MB` (plus the
form's framing), everything else `BLUECARD_MAX_BODY_KB`. A declared Content-Length over the
limit is answered 413 at once; a body without one (chunked) is counted as it arrives and
reading stops at the limit. A body within its declared length needs nothing more: the
server itself refuses bytes past the Content-Length, so the lookup path pays one header scan.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PayloadTooLarge
from app.core.problems import problem
from app.core.settings import get_settings

# The multipart framing and the small fields around an uploaded file.
UPLOAD_OVERHEAD_BYTES = 64 * 1024


def upload_too_large(limit_bytes: int) -> PayloadTooLarge:
    megabytes = limit_bytes // (1024 * 1024)
    return PayloadTooLarge(f"文件超过 {megabytes} MB 的上限，请拆分为多个文件后分别上传。")


def _body_too_large(limit_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"请求内容超过 {limit_bytes // 1024} KB 的上限。")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, upload_paths: Collection[str]) -> None:
        self.app = app
        self.upload_paths = frozenset(upload_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
                break
        settings = get_settings()
        upload = scope["path"] in self.upload_paths
        limit = settings.max_upload_mb * 1024 * 1024 if upload else settings.max_body_kb * 1024
        allowed = limit + UPLOAD_OVERHEAD_BYTES if upload else limit
        if declared is not None and (not declared.isdigit() or int(declared) <= allowed):
            await self.app(scope, receive, send)  # the server holds the body to it
            return
        refusal = upload_too_large(limit) if upload else _body_too_large(limit)
        if declared is not None:
            await _answer(refusal, scope, send)
            return
        await _Counted(self.app, allowed, refusal)(scope, receive, send)


class _Counted:
    """A body of unknown length: counted as it arrives; past the limit, reading stops and
    whatever the app would answer (FastAPI turns a failed read into a 400) gives way to 413."""

    def __init__(self, app: ASGIApp, allowed: int, refusal: PayloadTooLarge) -> None:
        self.app, self.allowed, self.refusal = app, allowed, refusal
        self.received = 0
        self.refused = False
        self.started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            if self.refused:
                raise self.refusal
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.allowed:
                    self.refused = True
                    raise self.refusal
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused:
                return
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except PayloadTooLarge:
            if not self.refused:
                raise
        if self.refused and not self.started:
            await _answer(self.refusal, scope, send)


async def _answer(refusal: PayloadTooLarge, scope: Scope, send: Send) -> None:
    response = problem(refusal.status, refusal.code, refusal.title, refusal.detail)
    response.headers["connection"] = "close"  # the rest of the body is never read
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
