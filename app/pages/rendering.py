"""Rendering pages: one Jinja2 environment, the shared layout's context, security headers."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.reference import city_names
from app.pages import formatting
from app.pages.people import Names
from app.pages.session import (
    PRE_SESSION_COOKIE,
    csrf_token_for,
    session_secret,
    set_secret_cookie,
)

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

ROLE_ZH: dict[str, str] = {
    Role.province_admin: "省级管理员",
    Role.city_operator: "市级经办人员",
    Role.window_clerk: "服务窗口工作人员",
    Role.auditor: "审计人员",
}

# Everything is served from this origin; no inline script or style anywhere.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str


_HOME_ROUTES: dict[str, str] = {
    Role.window_clerk: "page_counter_home",
    Role.city_operator: "page_city_home",
    Role.province_admin: "page_province_home",
    Role.auditor: "page_audit_home",
}

_TALENTS = NavItem("人才名录", "page_talent_list")
_STUDIOS = NavItem("工作室申报", "page_studio_list")
_ASSISTANCE = NavItem("帮扶", "page_assistance_list")
_TASKS = NavItem("重点任务", "page_task_ledger")
_AUDIT = NavItem("审计记录", "page_audit_home")
_CALENDAR = NavItem("报送日历", "page_filing_calendar")
_REVIEWS = NavItem("动态管理", "page_review_lists")
_STATISTICS = NavItem("统计分析", "page_statistics")
_NAV: dict[str, tuple[NavItem, ...]] = {
    Role.window_clerk: (
        NavItem("服务窗口", "page_counter_home"),
        NavItem("工作室申报", "page_studio_new"),
    ),
    Role.city_operator: (
        NavItem("市级备案", "page_city_home"),
        _TALENTS,
        _STUDIOS,
        _ASSISTANCE,
        _STATISTICS,
    ),
    Role.province_admin: (
        NavItem("审核队列", "page_province_home"),
        _CALENDAR,
        _REVIEWS,
        _STATISTICS,
        _TALENTS,
        _STUDIOS,
        _ASSISTANCE,
        _TASKS,
        NavItem("合作系统", "page_partner_list"),
        NavItem("用户管理", "page_account_list"),
        NavItem("参考代码", "page_reference"),
        _AUDIT,
    ),
    Role.auditor: (
        _CALENDAR,
        _REVIEWS,
        _STATISTICS,
        _TALENTS,
        _STUDIOS,
        _ASSISTANCE,
        _TASKS,
        _AUDIT,
    ),
}


class _CsrfTokenSource:
    """Gives forms their token; makes a pre-session secret only when a form asks for one."""

    def __init__(self, request: Request) -> None:
        has_session = getattr(request.state, "principal", None) is not None
        self._secret = session_secret(request) if has_session else None
        self.new_secret: str | None = None
        if self._secret is None:
            self._secret = request.cookies.get(PRE_SESSION_COOKIE)

    def __call__(self) -> str:
        if not self._secret:
            self._secret = self.new_secret = secrets.token_urlsafe(32)
        return csrf_token_for(self._secret)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    principal: Principal | None = getattr(request.state, "principal", None)
    csrf = _CsrfTokenSource(request)
    full_context = {
        "user": principal,
        "role_zh": ROLE_ZH.get(principal.role, "") if principal else "",
        "nav": _NAV.get(principal.role, ()) if principal else (),
        "csrf_token": csrf,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, full_context, status_code=status_code)
    if csrf.new_secret:
        set_secret_cookie(response, PRE_SESSION_COOKIE, csrf.new_secret)
    response.headers.update(_SECURITY_HEADERS)
    return response


def home_route_for(role: str) -> str:
    """The area each role lands in after login."""
    return _HOME_ROUTES.get(role, "page_home")


@pass_context
def _path_for(context: Context, name: str, /, **params: Any) -> str:
    return str(context["request"].app.url_path_for(name, **params))


def _make_templates() -> Jinja2Templates:
    env_templates = Jinja2Templates(directory=TEMPLATE_DIR)
    env = env_templates.env
    env.globals["path_for"] = _path_for
    env.globals["city_names"] = city_names
    env.globals["change_value"] = formatting.change_value
    # Pages that show actors pass their own `who` (`people.names_for`), knowing display names.
    env.globals["who"] = Names({})
    env.filters.update(formatting.FILTERS)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return env_templates


templates = _make_templates()
