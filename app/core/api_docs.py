"""`/docs` (Swagger UI) and `/redoc` from assets shipped in a package (fastapi-offline: the
swagger-ui and redoc distributions), never a CDN, under a Content-Security-Policy that
lets only those assets and the page's own inline start-up script run.

The pages are built once; the CSP names the inline script by its SHA-256, so no other
inline script (an injected one) runs. Styles may be inline: both UIs set them at run time.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs-assets"
_ASSETS = files("fastapi_offline") / "static"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def install_api_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve the two documentation pages of `openapi_url` and their assets."""
    app.mount(ASSETS_PATH, StaticFiles(directory=str(_ASSETS)), name="docs_assets")
    swagger = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} – API",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        oauth2_redirect_url=None,
    )
    redoc = get_redoc_html(
        openapi_url=openapi_url,
        title=f"{app.title} – API",
        redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    )
    for path, page in (("/docs", swagger), ("/redoc", redoc)):
        app.add_route(path, _page(page), include_in_schema=False)


def content_security_policy(html: str) -> str:
    scripts = " ".join(
        ["'self'"]
        + [
            f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(html)
        ]
    )
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def _page(page: HTMLResponse) -> Callable[[Request], Awaitable[HTMLResponse]]:
    html = bytes(page.body).decode()
    headers = {
        "Content-Security-Policy": content_security_policy(html),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }

    async def serve(_request: Request) -> HTMLResponse:
        return HTMLResponse(html, headers=headers)

    return serve
