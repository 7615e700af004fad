"""合作系统: partner agencies' systems and their API keys (province admins only).

A new key is shown once, in the answer to the POST that issued it (never in a URL), and
only its hash is kept, as the access service does for the API.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access import partners
from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import AppError
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.pages.session import page_gate

router = APIRouter()

Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
LIST_SIZE = 100
_FIELD_ZH = {"name": "名称", "agency": "所属机关", "scopes": "权限范围", "label": "密钥用途"}
_NOTICES = {
    "created": "合作系统已创建。请为其签发密钥。",
    "revoked": "密钥已吊销，使用该密钥的调用将立即被拒绝。",
}


@router.get("/partners", name="page_partner_list")
def partner_list(request: Request, _admin: Admin, session: SessionDep) -> Response:
    return _list_page(request, session)


@router.post("/partners", name="page_partner_create")
def partner_create(
    request: Request,
    admin: Admin,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)] = "",
    agency: Annotated[str, Form(max_length=200)] = "",
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    disclose_person: Annotated[bool, Form()] = False,
) -> Response:
    form = {"name": name, "agency": agency, "scopes": scopes, "disclose_person": disclose_person}
    try:
        partner = partners.create_partner(
            session, admin, name=name, agency=agency, scopes=scopes, disclose_person=disclose_person
        )
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _list_page(request, again, retry=retry),
            error=_message(exc),
            status=exc.status,
            form=form,
        ) from exc
    target = request.app.url_path_for("page_partner_detail", partner_id=str(partner.id))
    return RedirectResponse(f"{target}?notice=created", status_code=303)


@router.get("/partners/{partner_id}", name="page_partner_detail")
def partner_detail(
    request: Request, partner_id: uuid.UUID, _admin: Admin, session: SessionDep, notice: str = ""
) -> Response:
    return _detail_page(request, session, partner_id, notice=_NOTICES.get(notice, ""))


@router.post("/partners/{partner_id}/keys", name="page_partner_issue_key")
def partner_issue_key(
    request: Request,
    partner_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    partner = partners.get_partner(session, partner_id)
    try:
        _row, key = partners.issue_api_key(session, admin, partner, label=label)
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _detail_page(request, again, partner_id, retry=retry),
            error=_message(exc),
            status=exc.status,
        ) from exc
    return _detail_page(request, session, partner_id, new_key=key)


@router.post("/partners/{partner_id}/keys/{key_id}/revoke", name="page_partner_revoke_key")
def partner_revoke_key(
    request: Request, partner_id: uuid.UUID, key_id: uuid.UUID, admin: Admin, session: SessionDep
) -> Response:
    partner = partners.get_partner(session, partner_id)
    partners.revoke_api_key(session, admin, partners.get_api_key(session, partner, key_id))
    target = request.app.url_path_for("page_partner_detail", partner_id=str(partner_id))
    return RedirectResponse(f"{target}?notice=revoked", status_code=303)


def _list_page(request: Request, session: Session, *, retry: Retry | None = None) -> Response:
    context = {
        "partners": partners.list_partners(session, page=1, page_size=LIST_SIZE),
        "scopes": partners.partner_scopes(session),
        "form": retry.form if retry else {},
        "error": retry.error if retry else "",
    }
    return render(request, "partners.html", context, status_code=retry.status if retry else 200)


def _detail_page(
    request: Request,
    session: Session,
    partner_id: uuid.UUID,
    *,
    notice: str = "",
    new_key: str = "",
    retry: Retry | None = None,
) -> Response:
    partner = partners.get_partner(session, partner_id)
    context = {
        "partner": partner,
        "keys": partners.list_api_keys(session, partner),
        "notice": notice,
        "new_key": new_key,
        "error": retry.error if retry else "",
    }
    return render(request, "partner.html", context, status_code=retry.status if retry else 200)


def _message(exc: AppError) -> str:
    errors = getattr(exc, "errors", [])
    if errors:
        first = errors[0]
        return f"{_FIELD_ZH.get(first['field'], first['field'])}：{first['message']}"
    return exc.detail
