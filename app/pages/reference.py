"""参考代码: the lists the province extends (services, categories, relations, exit reasons,
studio programmes, recognition lists), for province admins. Codes are added, renamed and
deactivated here, never changed or deleted (`app/reference/service.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.reference import EXTENSIBLE_KINDS, codes_of
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.pages.session import page_gate
from app.reference import service

router = APIRouter()

Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
KIND_ZH = {
    "services": "优先服务事项",
    "categories": "人才类别",
    "relations": "家属关系",
    "exit-reasons": "退出原因",
    "studio-programmes": "工作室项目",
    "recognition-lists": "“高精尖缺”人才认定名单（按年度）",
}
_NOTICES = {"added": "代码已添加。", "changed": "已保存。"}
Text = Annotated[str, Form(max_length=200)]


@router.get("/province/reference", name="page_reference")
def reference_page(
    request: Request, _admin: Admin, session: SessionDep, notice: str = ""
) -> Response:
    return _page(request, session, notice=_NOTICES.get(notice, ""))


@router.post("/province/reference/{kind}", name="page_reference_add")
def reference_add(
    request: Request,
    kind: str,
    admin: Admin,
    session: SessionDep,
    code: Text = "",
    name_zh: Text = "",
    name_en: Text = "",
    owner_unit: Text = "",
    parent_code: Text = "",
    year: Text = "",
) -> Response:
    try:
        service.add_code(
            session,
            admin,
            kind,
            code=code.strip(),
            name_zh=name_zh.strip(),
            name_en=name_en.strip() or code.strip(),
            owner_unit=owner_unit.strip() or None,
            parent_code=parent_code.strip() or None,
            year=int(year) if year.strip().isdigit() else None,
        )
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _page(request, again, retry=retry),
            error=_message(exc),
            status=exc.status,
        ) from exc
    return _back(request, "added")


@router.post("/province/reference/{kind}/{code}", name="page_reference_change")
def reference_change(
    request: Request,
    kind: str,
    code: str,
    admin: Admin,
    session: SessionDep,
    name_zh: Text = "",
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    try:
        service.change_code(
            session,
            admin,
            kind,
            code,
            name_zh=name_zh.strip() or None,
            active={"true": True, "false": False}.get(active),
        )
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _page(request, again, retry=retry),
            error=_message(exc),
            status=exc.status,
        ) from exc
    return _back(request, "changed")


def _page(
    request: Request, session: Session, *, notice: str = "", retry: Retry | None = None
) -> Response:
    connection = session.connection()
    lists = [(kind, KIND_ZH[kind], codes_of(connection, kind)) for kind in EXTENSIBLE_KINDS]
    context = {"lists": lists, "notice": notice, "error": retry.error if retry else ""}
    return render(request, "reference.html", context, status_code=retry.status if retry else 200)


def _back(request: Request, notice: str) -> Response:
    target = request.app.url_path_for("page_reference")
    return RedirectResponse(f"{target}?notice={notice}", status_code=303)


def _message(exc: AppError) -> str:
    errors = getattr(exc, "errors", [])
    return str(errors[0]["message"]) if errors else exc.detail
