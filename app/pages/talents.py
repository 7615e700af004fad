"""人才名录: the talent list and a talent's record, with the province's marker actions.

Province admins and auditors read every city; a city operator reads their own (the city
wall is the registry's own loader, `deps.valid_talent`). Only a province admin suspends,
reinstates or revokes a marker, through the registry's marker functions.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import AppError, InvalidInput, field_error
from app.core.keys import get_keyring
from app.core.reference import codes_of
from app.lookup import access_log, reads
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.pages.session import page_gate
from app.registry import as_of, markers, outputs, queries
from app.registry.codes import Category
from app.registry.deps import valid_talent
from app.registry.history import versions_of
from app.registry.markers import local_today
from app.registry.schemas import MarkerAction
from app.registry.service import talent_detail

router = APIRouter()

Reader = Annotated[
    Principal, Depends(page_gate(Role.province_admin, Role.city_operator, Role.auditor))
]
Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
MarkerVerb = Literal["suspend", "reinstate", "revoke"]

PAGE_SIZE = 30
ACCESS_LOG_SIZE = 20
_MARKER_ACTIONS = {
    "suspend": (markers.suspend_marker, "特殊标识已暂停。"),
    "reinstate": (markers.reinstate_marker, "特殊标识已恢复。"),
    "revoke": (markers.revoke_marker, "特殊标识已撤销。"),
}
_NOTICES = {verb: message for verb, (_action, message) in _MARKER_ACTIONS.items()}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FILTERS = ("name", "city_code", "category", "marker_status", "status")


@router.get("/talents", name="page_talent_list")
def talent_list(
    request: Request,
    reader: Reader,
    session: SessionDep,
    name: Annotated[str, Query(max_length=50)] = "",
    city_code: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    category: Annotated[Category | Literal[""], Query()] = "",
    marker_status: Annotated[
        Literal["", "active", "suspended", "revoked", "expired", "none"], Query()
    ] = "",
    status: Annotated[Literal["", "filed", "retired"], Query()] = "",
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    if any(ch.isdigit() for ch in name):
        message = "请按姓名查询，不要输入身份证号或其他号码。"
        raise InvalidInput(message, errors=[field_error("name", "not_a_name", message)])
    filters = queries.TalentFilters(
        city_code or None, category or None, marker_status or None, name.strip() or None, status
    )
    today = local_today()
    found = queries.list_talents(
        session, reader, filters, cursor=cursor, limit=PAGE_SIZE, today=today
    )
    keyring = get_keyring()
    chosen = {
        "name": name.strip(),
        "city_code": city_code,
        "category": category,
        "marker_status": marker_status,
        "status": status,
    }
    active = {k: v for k, v in chosen.items() if v and k in _FILTERS}
    base = str(request.app.url_path_for("page_talent_list"))
    context = {
        "items": [outputs.talent_item(t, keyring, today) for t in found.items],
        "filters": chosen,
        "categories": list(Category),
        "first_url": f"{base}?{urlencode(active)}" if cursor else None,
        "next_url": f"{base}?{urlencode({**active, 'cursor': found.next_cursor})}"
        if found.next_cursor
        else None,
    }
    return render(request, "talents.html", context)


@router.get("/talents/{talent_id}", name="page_talent_record")
def talent_record(
    request: Request,
    talent_id: uuid.UUID,
    reader: Reader,
    session: SessionDep,
    notice: str = "",
) -> Response:
    return _record_page(request, session, reader, talent_id, notice=_NOTICES.get(notice, ""))


@router.post("/talents/{talent_id}/marker/{verb}", name="page_talent_marker_action")
def talent_marker_action(
    request: Request,
    talent_id: uuid.UUID,
    verb: MarkerVerb,
    admin: Admin,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=1000)] = "",
    exit_reason: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    talent = valid_talent(talent_id, admin, session)
    action, _message = _MARKER_ACTIONS[verb]
    try:
        checked = MarkerAction(reason=reason)
        stored = checked.reason
        if verb == "revoke":
            stored = markers.revocation_reason(session, exit_reason, checked.reason)
        action(session, admin, talent, reason=stored)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"])
        if not _CJK.search(message):
            message = "请填写原因（1至300字）。"
        raise _refused(request, admin, talent_id, message, 422) from exc
    except AppError as exc:
        raise _refused(request, admin, talent_id, exc.detail, exc.status) from exc
    target = request.app.url_path_for("page_talent_record", talent_id=str(talent_id))
    return RedirectResponse(f"{target}?notice={verb}", status_code=303)


def _record_page(
    request: Request,
    session: Session,
    reader: Principal,
    talent_id: uuid.UUID,
    *,
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    talent = reads.shown(
        session, reader, valid_talent(talent_id, reader, session), purpose=reads.DETAIL_PURPOSE
    )
    versions = versions_of(session, talent.id)
    context: dict[str, Any] = {
        "talent": talent_detail(talent),
        "timeline": as_of.timeline(as_of.marker_changes(versions), local_today()),
        "history": [outputs.version_out(v) for v in versions],
        "access": access_log.talent_access_log(
            session, reader, talent.id, page=1, page_size=ACCESS_LOG_SIZE
        ),
        "can_act": reader.role == Role.province_admin,
        "exit_reasons": [r for r in codes_of(session.connection(), "exit-reasons") if r.active],
        "notice": notice,
        "error": retry.error if retry else "",
    }
    return render(request, "talent.html", context, status_code=retry.status if retry else 200)


def _refused(
    request: Request, admin: Principal, talent_id: uuid.UUID, error: str, status: int
) -> FormRefused:
    return FormRefused(
        lambda session, retry: _record_page(request, session, admin, talent_id, retry=retry),
        error=error,
        status=status,
    )
