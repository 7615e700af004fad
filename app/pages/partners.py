"""合作系统: partner agencies' systems and their API keys (province admins only).

A new key is shown once and only its hash is kept, as the access service does for the API.
The POST that issues it redirects (a refresh must not issue a second key): the key rides
to the next page in a short-lived cookie, encrypted and bound to the session, that the
page showing it deletes; never in a URL. Revoking a key is confirmed first (`confirm`).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access import partners
from app.access.auth import Principal, bearer_secret
from app.access.codes import Role
from app.access.models import Partner
from app.core.crypto import DecryptionError
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.keys import get_keyring
from app.pages.confirm import Confirmation, Confirmed, confirm_page
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.pages.session import page_gate, secure_cookies, session_secret

router = APIRouter()

Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
LIST_SIZE = 100
_FIELD_ZH = {"name": "名称", "agency": "所属机关", "scopes": "权限范围", "label": "密钥用途"}
_NOTICES = {
    "created": "合作系统已创建。请为其签发密钥。",
    "revoked": "密钥已吊销，使用该密钥的调用将立即被拒绝。",
    "updated": "合作系统信息已保存。",
    "disabled": "合作系统已停用，其全部密钥的调用将被拒绝。",
    "enabled": "合作系统已重新启用。",
    "issued": "新密钥已签发，只显示过一次；如未记下，请吊销后重新签发。",
}
KEY_FLASH_COOKIE = "bluecard_new_key"
_KEY_FLASH_SECONDS = 120


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
    new_key = _take_new_key(request, partner_id)
    message = "" if new_key else _NOTICES.get(notice, "")
    response = _detail_page(request, session, partner_id, notice=message, new_key=new_key)
    if KEY_FLASH_COOKIE in request.cookies:
        response.delete_cookie(KEY_FLASH_COOKIE, path=_detail_path(request, partner_id))
    return response


@router.post("/partners/{partner_id}/edit", name="page_partner_update")
def partner_update(
    request: Request,
    partner_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)] = "",
    agency: Annotated[str, Form(max_length=200)] = "",
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    disclose_person: Annotated[bool, Form()] = False,
) -> Response:
    """The API's `update_partner` with the whole form: name, agency, services, disclosure."""
    partner = partners.get_partner(session, partner_id)
    form = {"name": name, "agency": agency, "scopes": scopes, "disclose_person": disclose_person}
    try:
        partners.update_partner(
            session,
            admin,
            partner,
            name=name,
            agency=agency,
            scopes=scopes,
            disclose_person=disclose_person,
        )
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _detail_page(request, again, partner_id, retry=retry),
            error=_message(exc),
            status=exc.status,
            form=form,
        ) from exc
    return _to_detail(request, partner_id, "updated")


@router.post("/partners/{partner_id}/state", name="page_partner_state")
def partner_state(
    request: Request,
    partner_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    active: Annotated[bool, Form()],
) -> Response:
    """Disable (or enable again) a partner: a disabled partner's keys are all refused."""
    partner = partners.get_partner(session, partner_id)
    partners.update_partner(session, admin, partner, is_active=active)
    return _to_detail(request, partner_id, "enabled" if active else "disabled")


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
    target = _detail_path(request, partner_id)
    response = RedirectResponse(f"{target}?notice=issued", status_code=303)
    response.set_cookie(
        KEY_FLASH_COOKIE,
        get_keyring().encrypt(key, context=_flash_context(request, partner_id)),
        max_age=_KEY_FLASH_SECONDS,
        path=target,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(),
    )
    return response


@router.post("/partners/{partner_id}/keys/{key_id}/revoke", name="page_partner_revoke_key")
def partner_revoke_key(
    request: Request,
    partner_id: uuid.UUID,
    key_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    confirmed: Confirmed = False,
) -> Response:
    partner = partners.get_partner(session, partner_id)
    key = partners.get_api_key(session, partner, key_id)
    target = _detail_path(request, partner_id)
    if not confirmed and key.revoked_at is None:
        live = sum(1 for k in partners.list_api_keys(session, partner) if k.revoked_at is None)
        return confirm_page(
            request,
            Confirmation(
                title=f"确认吊销「{partner.name}」的密钥 bk_{key.prefix}_…？",
                consequences=[
                    f"该密钥（用途：{key.label or '未填写'}）立即失效，使用它的调用全部被拒绝；",
                    f"该合作系统的有效密钥由 {live} 个减为 {live - 1} 个"
                    + ("，届时它将无法再调用查询接口，需重新签发密钥；" if live == 1 else "；"),
                    "吊销后不能恢复。",
                ],
                button="确认吊销",
                action=str(
                    request.app.url_path_for(
                        "page_partner_revoke_key", partner_id=str(partner_id), key_id=str(key_id)
                    )
                ),
                back=target,
            ),
        )
    partners.revoke_api_key(session, admin, key)
    return RedirectResponse(f"{target}?notice=revoked", status_code=303)


def _to_detail(request: Request, partner_id: uuid.UUID, notice: str) -> Response:
    target = request.app.url_path_for("page_partner_detail", partner_id=str(partner_id))
    return RedirectResponse(f"{target}?notice={notice}", status_code=303)


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
        "scopes": partners.partner_scopes(session),
        "notice": notice,
        "new_key": new_key,
        "form": retry.form if retry and retry.form else _form_of(partner),
        "error": retry.error if retry else "",
    }
    return render(request, "partner.html", context, status_code=retry.status if retry else 200)


def _form_of(partner: Partner) -> dict[str, Any]:
    return {
        "name": partner.name,
        "agency": partner.agency,
        "scopes": partner.scopes,
        "disclose_person": partner.disclose_person,
    }


def _detail_path(request: Request, partner_id: uuid.UUID) -> str:
    return str(request.app.url_path_for("page_partner_detail", partner_id=str(partner_id)))


def _flash_context(request: Request, partner_id: uuid.UUID) -> str:
    """Binds the carried key to this partner and this login: useless in another session."""
    secret = session_secret(request) or bearer_secret(request) or ""
    return f"page-new-key:{partner_id}:{hashlib.sha256(secret.encode()).hexdigest()}"


def _take_new_key(request: Request, partner_id: uuid.UUID) -> str:
    """The key issued just before, once; nothing if absent, expired or not this session's."""
    carried = request.cookies.get(KEY_FLASH_COOKIE)
    if not carried:
        return ""
    try:
        return get_keyring().decrypt(carried, context=_flash_context(request, partner_id))
    except (DecryptionError, ValueError):
        return ""


def _message(exc: AppError) -> str:
    errors = getattr(exc, "errors", [])
    if errors:
        first = errors[0]
        return f"{_FIELD_ZH.get(first['field'], first['field'])}：{first['message']}"
    return exc.detail
