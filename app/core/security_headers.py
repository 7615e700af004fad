"""Headers every answer of the API carries: `no-store` and `nosniff` on the API's answers
(they hold people's records; the public roster, meant to be cached, is left alone), and
HSTS in production (served behind HTTPS only)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.settings import get_settings

_API = "/api/"
_PUBLIC = "/api/v1/public/"
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        private = path.startswith(_API) and not path.startswith(_PUBLIC)
        production = get_settings().is_production

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if private:
                    headers["cache-control"] = "no-store"
                    headers["x-content-type-options"] = "nosniff"
                if production:
                    headers["strict-transport-security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
