"""Login, logout and the home page that sends each role to its area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.access import login, ratelimit
from app.access.service import revoke_token
from app.core.db import SessionDep
from app.pages.errors import shown_again
from app.pages.rendering import home_route_for, render
from app.pages.session import (
    SESSION_COOKIE,
    MaybePageUser,
    PageUser,
    clear_session_cookie,
    set_secret_cookie,
)

router = APIRouter()

_NOTICES = {
    "expired": ("登录已过期，请重新登录。", "warn"),
    "stale": ("页面已失效，请重新登录。", "warn"),
    "logged_out": ("您已安全退出。", "ok"),
}


@router.get("/", name="page_home")
def home(request: Request, user: MaybePageUser) -> Response:
    if user is not None:
        return _redirect(request, home_route_for(user.role))
    return render(request, "home.html")


@router.get("/login", name="page_login_form")
def login_form(request: Request, user: MaybePageUser, next: str = "", notice: str = "") -> Response:
    if user is not None:
        return _redirect(request, home_route_for(user.role))
    message, kind = _NOTICES.get(notice, ("", "ok"))
    return render(
        request,
        "login.html",
        {"next": _safe_next(next), "notice": message, "notice_kind": kind, "username": ""},
    )


@router.post("/login", name="page_login_submit")
def login_submit(
    request: Request,
    session: SessionDep,
    username: login.LoginUsername,
    password: login.LoginPassword,
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    outcome = login.authenticate(
        session,
        username=username,
        password=password,
        client_address=ratelimit.client_address(request),
    )
    if outcome.token is None or outcome.user is None:
        # Answered, not raised, as by the API: the failure count and audit event must commit.
        refused = outcome.refusal()
        context = {
            "next": _safe_next(next),
            "error": refused.detail,
            "username": shown_again(username.strip()),
        }
        response = render(request, "login.html", context, status_code=401)
        if refused.retry_after is not None:
            response.headers["Retry-After"] = str(refused.retry_after)
        return response
    target = _safe_next(next) or str(request.app.url_path_for(home_route_for(outcome.user.role)))
    response = RedirectResponse(target, status_code=303)
    set_secret_cookie(response, SESSION_COOKIE, outcome.token.token)
    return response


@router.post("/logout", name="page_logout")
def logout(request: Request, session: SessionDep, user: PageUser) -> Response:
    if user.credential_id is not None:
        revoke_token(session, user, user.credential_id)
    response = RedirectResponse(
        str(request.app.url_path_for("page_login_form")) + "?notice=logged_out", status_code=303
    )
    clear_session_cookie(response)
    return response


def _redirect(request: Request, route: str) -> Response:
    return RedirectResponse(str(request.app.url_path_for(route)), status_code=303)


def _safe_next(target: str) -> str:
    """Only a path on this site: never another host, never back to login or logout."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    if target.startswith(("/login", "/logout")):
        return ""
    return target
