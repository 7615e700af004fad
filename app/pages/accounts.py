"""用户管理: people's accounts (province admins only), over the admin API's services.

Create, rename, change role or city, reset a password, end a lock-out, disable and enable:
each is `access.service`, as the API's `/api/v1/admin/users` routes call it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access import service
from app.access.auth import Principal
from app.access.codes import Role
from app.access.models import User
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.paging import PageNumber
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import ROLE_ZH, render
from app.pages.session import page_gate

router = APIRouter()

Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
PAGE_SIZE = 30
_FIELD_ZH = {
    "username": "用户名",
    "password": "密码",
    "role": "岗位",
    "city_code": "所属市",
    "display_name": "姓名",
}
_NOTICES = {
    "created": "账号已创建。请将用户名和初始密码当面或通过安全渠道交给本人。",
    "updated": "账号信息已保存。",
    "password": "密码已重置，该用户已登录的会话全部失效。",
    "unlocked": "已解除登录锁定。",
    "disabled": "账号已停用，该用户已登录的会话全部失效。",
    "enabled": "账号已重新启用。",
}
RoleChoice = Literal["", "province_admin", "city_operator", "window_clerk", "auditor"]
CityField = Annotated[str, Form(pattern=r"^(\d{6})?$")]


@router.get("/accounts", name="page_account_list")
def account_list(
    request: Request,
    _admin: Admin,
    session: SessionDep,
    page: PageNumber = 1,
    role: Annotated[RoleChoice, Query()] = "",
    city_code: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    notice: str = "",
) -> Response:
    return _list_page(request, session, page=page, role=role, city_code=city_code, notice=notice)


@router.post("/accounts", name="page_account_create")
def account_create(
    request: Request,
    admin: Admin,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    city_code: CityField = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    form = {"username": username, "display_name": display_name, "role": role, "city": city_code}
    try:
        user = service.create_user(
            session,
            admin,
            username=username.strip(),
            password=password,
            role=role,
            city_code=city_code or None,
            display_name=display_name,
        )
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _list_page(request, again, retry=retry),
            error=_message(exc),
            status=exc.status,
            form=form,
        ) from exc
    return _to_detail(request, user.id, "created")


@router.get("/accounts/{user_id}", name="page_account_detail")
def account_detail(
    request: Request, user_id: uuid.UUID, _admin: Admin, session: SessionDep, notice: str = ""
) -> Response:
    return _detail_page(request, session, user_id, notice=_NOTICES.get(notice, ""))


@router.post("/accounts/{user_id}/edit", name="page_account_update")
def account_update(
    request: Request,
    user_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    city_code: CityField = "",
) -> Response:
    user = service.get_user(session, user_id)
    with _refused_on(request, user_id):
        service.update_user(
            session,
            admin,
            user,
            role=role or None,
            city_code=city_code or None,
            display_name=display_name,
        )
    return _to_detail(request, user_id, "updated")


@router.post("/accounts/{user_id}/password", name="page_account_password")
def account_password(
    request: Request,
    user_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    user = service.get_user(session, user_id)
    with _refused_on(request, user_id):
        service.reset_password(session, admin, user, password)
    return _to_detail(request, user_id, "password")


@router.post("/accounts/{user_id}/unlock", name="page_account_unlock")
def account_unlock(
    request: Request, user_id: uuid.UUID, admin: Admin, session: SessionDep
) -> Response:
    service.unlock_user(session, admin, service.get_user(session, user_id))
    return _to_detail(request, user_id, "unlocked")


@router.post("/accounts/{user_id}/state", name="page_account_state")
def account_state(
    request: Request,
    user_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    active: Annotated[bool, Form()],
) -> Response:
    user = service.get_user(session, user_id)
    with _refused_on(request, user_id):
        service.update_user(session, admin, user, is_active=active)
    return _to_detail(request, user_id, "enabled" if active else "disabled")


@contextmanager
def _refused_on(request: Request, user_id: uuid.UUID) -> Iterator[None]:
    """A service's refusal becomes the account page shown again with the message."""
    try:
        yield
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _detail_page(request, again, user_id, retry=retry),
            error=_message(exc),
            status=exc.status,
        ) from exc


def _list_page(
    request: Request,
    session: Session,
    *,
    page: int = 1,
    role: str = "",
    city_code: str = "",
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    found = service.list_users(
        session, page=page, page_size=PAGE_SIZE, role=role or None, city_code=city_code or None
    )
    base = str(request.app.url_path_for("page_account_list"))
    chosen = {k: v for k, v in {"role": role, "city_code": city_code}.items() if v}
    context = {
        "accounts": found,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
        "page_url": lambda n: f"{base}?{urlencode({**chosen, 'page': n})}",
        "filters": {"role": role, "city_code": city_code},
        "roles": ROLE_ZH,
        "notice": _NOTICES.get(notice, ""),
        "form": retry.form if retry else {},
        "error": retry.error if retry else "",
    }
    return render(request, "accounts.html", context, status_code=retry.status if retry else 200)


def _detail_page(
    request: Request,
    session: Session,
    user_id: uuid.UUID,
    *,
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    user: User = service.get_user(session, user_id)
    context = {
        "account": user,
        "locked_until": service.locked_until(session, user),
        "roles": ROLE_ZH,
        "notice": notice,
        "error": retry.error if retry else "",
    }
    return render(request, "account.html", context, status_code=retry.status if retry else 200)


def _to_detail(request: Request, user_id: uuid.UUID, notice: str) -> Response:
    target = request.app.url_path_for("page_account_detail", user_id=str(user_id))
    return RedirectResponse(f"{target}?notice={notice}", status_code=303)


def _message(exc: AppError) -> str:
    errors = getattr(exc, "errors", [])
    if errors:
        first = errors[0]
        return f"{_FIELD_ZH.get(first['field'], first['field'])}：{first['message']}"
    return exc.detail
