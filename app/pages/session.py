"""Page sessions: the opaque token in a cookie, role gates, and CSRF on every form.

A person logs in through the access service and gets the same opaque session token the
API hands out; the pages keep it in an HttpOnly, SameSite=Strict cookie and resolve it
with `auth.admit`, so expiry, revocation, deactivation and the credential's rate limit work
as for the API.

CSRF: every form carries `csrf_token`, an HMAC keyed with a secret the browser holds in an
HttpOnly cookie (the session token once logged in; a random pre-session secret on the
login form). Another site can neither read the cookie nor compute the token, so a forged
POST fails. The check runs as a router dependency, so no form route can forget it.

Pages also accept `Authorization: Bearer` like the API (the access matrix test calls them
so); a browser never sends that header by itself, so such requests need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from app.access.auth import Principal, admit, bearer_secret
from app.core.errors import AppError, Forbidden, Unauthorized
from app.core.settings import get_settings
from app.core.transactions import TransactionsDep
from app.filing.upload import ReceivedForm, is_multipart, received_form

SESSION_COOKIE = "bluecard_session"
PRE_SESSION_COOKIE = "bluecard_presession"
CSRF_FIELD = "csrf_token"
_CSRF_MESSAGE = b"bluecard-page-csrf-v1"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(AppError):
    """No live session: the page handler answers with a redirect to the login page, with a
    notice when the session expired (`expired`) or a form came without its token (`stale`)."""

    status, code, title = 401, "login_required", "Login required"

    def __init__(self, *, notice: str = "") -> None:
        super().__init__("请先登录。")
        self.notice = notice


class CsrfFailed(AppError):
    status, code, title = 403, "csrf_failed", "Forbidden"

    def __init__(self) -> None:
        super().__init__("表单已失效或来源不明，请返回上一页刷新后重新提交。")


def csrf_token_for(secret: str) -> str:
    return hmac.new(secret.encode(), _CSRF_MESSAGE, hashlib.sha256).hexdigest()


def session_secret(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


async def optional_principal(request: Request, transactions: TransactionsDep) -> Principal | None:
    """The caller, or None; also remembers it on the request for the layout. Admitted as
    the API admits its callers (`auth.admit`): the same checks, the same rate limit."""
    secret = session_secret(request) or bearer_secret(request)
    principal = None
    if secret:
        try:
            principal = await admit(secret, transactions)
        except Unauthorized:
            principal = None
    request.state.principal = principal
    return principal


def logged_in(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    if principal is None:
        raise LoginRequired(notice="expired" if session_secret(request) else "")
    if principal.is_partner:
        raise Forbidden("合作系统的密钥只能调用接口，不能登录页面。")
    return principal


PageUser = Annotated[Principal, Depends(logged_in)]
MaybePageUser = Annotated[Principal | None, Depends(optional_principal)]


def page_gate(*roles: str) -> Callable[[Principal], Principal]:
    """A page gate admitting the given roles; others get the Chinese 403 page."""

    def gate(principal: PageUser) -> Principal:
        if principal.role not in roles:
            raise Forbidden("您的岗位无权访问此页面。")
        return principal

    gate.__name__ = "page_gate_" + "_".join(roles)
    return gate


async def multipart_body(request: Request) -> AsyncIterator[ReceivedForm | None]:
    """A multipart body read by the API's streaming upload reader (size cap, spooled file,
    never read whole first), for a route that declares no form fields of its own; else None."""
    route = request.scope.get("route")
    if (
        request.method in _SAFE_METHODS
        or getattr(route, "body_field", None) is not None
        or not is_multipart(request)
    ):
        yield None
        return
    async with asynccontextmanager(received_form)(request) as received:
        yield received


MultipartBody = Annotated[ReceivedForm | None, Depends(multipart_body)]


async def csrf_protect(
    request: Request, principal: MaybePageUser, multipart: MultipartBody
) -> None:
    """Refuse any unsafe request whose form lacks the token bound to the browser's secret."""
    if request.method in _SAFE_METHODS:
        return
    if principal is not None and session_secret(request) is None:
        return  # a bearer header: browsers never attach one on their own, so no forgery
    if multipart is not None:
        sent = multipart.fields.get(CSRF_FIELD, "")
    else:
        sent = _form_token(await request.form(max_files=1, max_fields=50))
    secret = session_secret(request)
    expected_secret = secret if principal is not None else request.cookies.get(PRE_SESSION_COOKIE)
    if expected_secret and sent and hmac.compare_digest(sent, csrf_token_for(expected_secret)):
        return
    if principal is None:
        # Nobody is logged in, so nothing can be forged: send them to log in (again).
        raise LoginRequired(notice="expired" if secret else "stale")
    raise CsrfFailed()


def secure_cookies() -> bool:
    settings = get_settings()
    return settings.session_cookie_secure or settings.is_production


def set_secret_cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(),
    )


def _form_token(form: FormData) -> str:
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""
