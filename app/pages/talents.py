"""人才名录: the talent list and a talent's record, with the province's marker actions.

Province admins and auditors read every city; a city operator reads their own (the city
wall is the registry's own loader, `deps.valid_talent`). Only a province admin suspends,
reinstates or revokes a marker, through the registry's marker functions.
"""

from __future__ import annotations

import base64
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
from app.core import audit
from app.core.db import SessionDep
from app.core.errors import AppError, Conflict, InvalidInput, field_error
from app.core.keys import get_keyring
from app.core.paging import PageNumber
from app.core.reference import check_code, city_names, codes_of, refresh_labels
from app.core.types import utcnow
from app.lookup import access_log, reads
from app.pages.confirm import Confirmation, Confirmed, confirm_page
from app.pages.duties.common import talent_choice
from app.pages.errors import FormRefused, Retry, first_form_message
from app.pages.people import names_for
from app.pages.rendering import render
from app.pages.session import page_gate
from app.pages.submissions import XLSX_TYPE, attachment
from app.public.service import qr_png, verification_url
from app.registry import as_of, editing, markers, outputs, queries
from app.registry.codes import SKILL_LEVEL_ZH
from app.registry.deps import valid_talent
from app.registry.history import versions_of
from app.registry.identifiers import IdentifierError, validate_id_number
from app.registry.list_export import talents_xlsx
from app.registry.markers import local_today
from app.registry.models import Talent
from app.registry.schemas import MarkerAction, Retirement, TalentEdit, TalentListItem
from app.registry.service import talent_detail

router = APIRouter()

Reader = Annotated[
    Principal, Depends(page_gate(Role.province_admin, Role.city_operator, Role.auditor))
]
Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
MarkerVerb = Literal["suspend", "reinstate", "revoke", "grant"]

PAGE_SIZE = 30
EXPORT_LIMIT = 5000
SEARCH_PURPOSE = "人才名录按身份证号查询"
CERTIFICATE_PURPOSE = "打印特殊标识证明"
ACCESS_LOG_SIZE = 20
PRINTED_LOG_SIZE = 500
PRINT_PURPOSE = "打印查询记录"
_MARKER_ACTIONS = {
    "suspend": (markers.suspend_marker, "特殊标识已暂停。"),
    "reinstate": (markers.reinstate_marker, "特殊标识已恢复。"),
    "revoke": (markers.revoke_marker, "特殊标识已撤销。"),
    "grant": (
        lambda session, actor, talent, *, reason: markers.grant_marker(
            session, actor, talent, reason=reason, today=local_today()
        ),
        "特殊标识已授予。",
    ),
}
_NOTICES = {
    **{verb: message for verb, (_action, message) in _MARKER_ACTIONS.items()},
    "updated": "记录已更正。",
    "retired": "该人员已退出人才库，特殊标识已收回。",
}
# The record's fields a province admin corrects on the page, as the form names them.
_EDIT_FIELDS_ZH = {
    "name": "姓名",
    "employer": "工作单位",
    "employer_uscc": "统一社会信用代码",
    "occupation": "职业（工种）",
    "skill_level": "技能等级",
    "card_no": "蓝卡卡号",
    "frontline_since": "一线工作起始年份",
    "reason": "原因",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


NameQuery = Annotated[str, Query(max_length=50)]
CityQuery = Annotated[str, Query(pattern=r"^(\d{6})?$")]
CategoryQuery = Annotated[str, Query(max_length=40)]
MarkerQuery = Annotated[Literal["", "active", "suspended", "revoked", "expired", "none"], Query()]
StatusQuery = Annotated[Literal["", "filed", "retired"], Query()]


@router.get("/talents", name="page_talent_list")
def talent_list(
    request: Request,
    reader: Reader,
    session: SessionDep,
    name: NameQuery = "",
    city_code: CityQuery = "",
    category: CategoryQuery = "",
    marker_status: MarkerQuery = "",
    status: StatusQuery = "",
    page: PageNumber = 1,
) -> Response:
    chosen = _chosen(name, city_code, category, marker_status, status)
    return _list_page(request, session, reader, chosen, page=page)


@router.post("/talents/search", name="page_talent_search")
def talent_search(
    request: Request,
    reader: Reader,
    session: SessionDep,
    id_number: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Find one person by ID number through the blind index (`reads.find_by_id_number`,
    the read recorded), posted so that the number is never in a URL: found, the record
    is shown (POST-redirect-GET); not found, the list says so."""
    try:
        checked = validate_id_number(id_number, today=local_today())
    except IdentifierError as exc:
        raise FormRefused(
            lambda again, retry: _list_page(request, again, reader, _chosen(), retry=retry),
            error=f"身份证号：{exc.message_zh}",
            status=422,
        ) from exc
    found = reads.find_by_id_number(
        session, reader, checked, purpose=SEARCH_PURPOSE, today=local_today()
    )
    if found is None:
        return _list_page(
            request, session, reader, _chosen(), not_found="未找到该身份证号的人才记录。"
        )
    target = request.app.url_path_for("page_talent_record", talent_id=str(found.id))
    return RedirectResponse(str(target), status_code=303)


@router.get("/talents/export.xlsx", name="page_talent_export")
def talent_export(
    reader: Reader,
    session: SessionDep,
    name: NameQuery = "",
    city_code: CityQuery = "",
    category: CategoryQuery = "",
    marker_status: MarkerQuery = "",
    status: StatusQuery = "",
) -> Response:
    """The filtered list as XLSX (ID numbers masked), at most `EXPORT_LIMIT` rows; the
    export is recorded in the audit chain with its filters and size."""
    chosen = _chosen(name, city_code, category, marker_status, status)
    items, total = _all_items(session, reader, chosen)
    audit.record(
        session,
        reader,
        "talent.export",
        "talents",
        {"filters": {k: v for k, v in chosen.items() if v}, "rows": len(items), "total": total},
    )
    body = talents_xlsx(_export_title(chosen, total, len(items)), items)
    return attachment(body, XLSX_TYPE, "人才名录.xlsx", "talents.xlsx")


@router.get("/talents/print", name="page_talent_print")
def talent_print(
    request: Request,
    reader: Reader,
    session: SessionDep,
    name: NameQuery = "",
    city_code: CityQuery = "",
    category: CategoryQuery = "",
    marker_status: MarkerQuery = "",
    status: StatusQuery = "",
) -> Response:
    """The filtered list on one page for printing (ID numbers masked)."""
    chosen = _chosen(name, city_code, category, marker_status, status)
    items, total = _all_items(session, reader, chosen)
    context = {
        "items": items,
        "total": total,
        "title": _export_title(chosen, total, len(items)),
        "printed_on": local_today(),
    }
    return render(request, "talents_print.html", context)


@router.get("/talents/{talent_id}", name="page_talent_record")
def talent_record(
    request: Request,
    talent_id: uuid.UUID,
    reader: Reader,
    session: SessionDep,
    notice: str = "",
) -> Response:
    return _record_page(request, session, reader, talent_id, notice=_NOTICES.get(notice, ""))


@router.get("/talents/{talent_id}/certificate", name="page_talent_certificate")
def talent_certificate(
    request: Request, talent_id: uuid.UUID, reader: Reader, session: SessionDep
) -> Response:
    """A printable certificate of an active marker, with the QR code of its public
    verification page (the same URL and code as `/verify/{code}/qr.png`)."""
    talent = reads.shown(
        session, reader, valid_talent(talent_id, reader, session), purpose=CERTIFICATE_PURPOSE
    )
    marker = talent.marker
    today = local_today()
    if marker is None or not markers.grants_priority(marker.status, marker.valid_until, today):
        raise Conflict("只有有效的特殊标识才能打印证明。", code="marker_not_active")
    url = verification_url(marker.code, served_at=str(request.base_url))
    context = {
        "talent": talent_detail(session, talent),
        "verify_url": url,
        "qr_data": base64.b64encode(qr_png(url, scale=6)).decode("ascii"),
        "printed_on": today,
    }
    return render(request, "talent_certificate.html", context)


@router.get("/talents/{talent_id}/access-log", name="page_talent_access_log_print")
def talent_access_log_print(
    request: Request, talent_id: uuid.UUID, reader: Reader, session: SessionDep
) -> Response:
    """The access log as a sheet to print and hand over; the read is recorded like any."""
    talent = reads.shown(
        session, reader, valid_talent(talent_id, reader, session), purpose=PRINT_PURPOSE
    )
    back = str(request.app.url_path_for("page_talent_record", talent_id=str(talent.id)))
    return access_log_sheet(
        request, session, reader, talent, back_url=back, back_label="返回人才记录"
    )


def access_log_sheet(
    request: Request,
    session: Session,
    reader: Principal,
    talent: Talent,
    *,
    back_url: str,
    back_label: str,
) -> Response:
    """A talent's access log as a printable sheet (the caller has recorded the read)."""
    access = access_log.talent_access_log(
        session, reader, talent.id, cursor=None, limit=PRINTED_LOG_SIZE
    )
    context = {
        "person": talent_choice(talent, local_today()),
        "access": access,
        "who": names_for(session, [f"{e.caller_kind}:{e.caller_name}" for e in access.items]),
        "printed_at": utcnow(),
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "access_log_print.html", context)


@router.post("/talents/{talent_id}/marker/{verb}", name="page_talent_marker_action")
def talent_marker_action(
    request: Request,
    talent_id: uuid.UUID,
    verb: MarkerVerb,
    admin: Admin,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=1000)] = "",
    confirmed: Confirmed = False,
    exit_reason: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    talent = valid_talent(talent_id, admin, session)
    action, _message = _MARKER_ACTIONS[verb]
    try:
        checked = MarkerAction(reason=reason)
        stored = checked.reason
        if verb == "revoke":
            stored = markers.revocation_reason(session, exit_reason, checked.reason)
            if not confirmed and talent.marker is not None:
                revocation = _revocation(request, talent, checked.reason, exit_reason)
                return confirm_page(request, revocation)
        action(session, admin, talent, reason=stored)
    except ValidationError as exc:
        message = first_form_message(exc, {"reason": "原因"})
        raise _refused(request, admin, talent_id, message, 422) from exc
    except AppError as exc:
        raise _refused(request, admin, talent_id, exc.detail, exc.status) from exc
    target = request.app.url_path_for("page_talent_record", talent_id=str(talent_id))
    return RedirectResponse(f"{target}?notice={verb}", status_code=303)


@router.post("/talents/{talent_id}/edit", name="page_talent_update")
def talent_update(
    request: Request,
    talent_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    version: Annotated[int, Form(ge=0)],
    name: Annotated[str, Form(max_length=200)] = "",
    employer: Annotated[str, Form(max_length=400)] = "",
    employer_uscc: Annotated[str, Form(max_length=40)] = "",
    occupation: Annotated[str, Form(max_length=200)] = "",
    skill_level: Annotated[str, Form(max_length=40)] = "",
    card_no: Annotated[str, Form(max_length=64)] = "",
    frontline_since: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """The API's correction (`editing.edit_talent`) with the version the form was shown at
    as its If-Match: a form left open while someone else corrected the record is refused."""
    talent = valid_talent(talent_id, admin, session)
    given = {
        "name": name.strip(),
        "employer": employer.strip(),
        "employer_uscc": employer_uscc.strip().upper() or None,
        "occupation": occupation.strip(),
        "skill_level": skill_level,
        "card_no": card_no.strip() or None,
        "frontline_since": frontline_since.strip() or None,
    }
    try:
        edit = TalentEdit.model_validate(given)
        editing.edit_talent(
            session,
            admin,
            talent,
            edit.model_dump(exclude_unset=True),
            version=editing.expected_version(f'"{version}"'),
            today=local_today(),
        )
    except ValidationError as exc:
        raise _refused(request, admin, talent_id, _validation_message(exc), 422) from exc
    except AppError as exc:
        raise _refused(request, admin, talent_id, exc.detail, exc.status) from exc
    return _to_record(request, talent_id, "updated")


@router.post("/talents/{talent_id}/retire", name="page_talent_retire")
def talent_retire(
    request: Request,
    talent_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    version: Annotated[int, Form(ge=0)],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The API's retirement (`editing.retire_talent`), guarded by the shown version."""
    talent = valid_talent(talent_id, admin, session)
    try:
        checked = Retirement(reason=reason)
        editing.retire_talent(
            session,
            admin,
            talent,
            reason=checked.reason,
            version=editing.expected_version(f'"{version}"'),
            today=local_today(),
        )
    except ValidationError as exc:
        raise _refused(request, admin, talent_id, _validation_message(exc), 422) from exc
    except AppError as exc:
        raise _refused(request, admin, talent_id, exc.detail, exc.status) from exc
    return _to_record(request, talent_id, "retired")


def _to_record(request: Request, talent_id: uuid.UUID, notice: str) -> Response:
    target = request.app.url_path_for("page_talent_record", talent_id=str(talent_id))
    return RedirectResponse(f"{target}?notice={notice}", status_code=303)


def _validation_message(exc: ValidationError) -> str:
    """The first problem, named by the form's Chinese label; the input is never echoed."""
    error = exc.errors()[0]
    field = _EDIT_FIELDS_ZH.get(str(error["loc"][0]) if error["loc"] else "", "表单")
    message = str(error["msg"])
    if _CJK.search(message):
        return f"{field}：{message.removeprefix('Value error, ')}"
    if error["type"] in ("missing", "string_too_short", "too_short"):
        return f"{field}：不能为空。"
    return f"{field}：填写内容格式不正确。"


def _chosen(
    name: str = "",
    city_code: str = "",
    category: str = "",
    marker_status: str = "",
    status: str = "",
) -> dict[str, str]:
    if any(ch.isdigit() for ch in name):
        message = "请按姓名查询，不要输入身份证号或其他号码；按身份证号查找请用“身份证号查询”。"
        raise InvalidInput(message, errors=[field_error("name", "not_a_name", message)])
    return {
        "name": name.strip(),
        "city_code": city_code,
        "category": category,
        "marker_status": marker_status,
        "status": status,
    }


def _filters(session: Session, chosen: dict[str, str]) -> queries.TalentFilters:
    if category := chosen["category"]:
        check_code(session.connection(), "categories", category, field="category", label="人才类别")
    return queries.TalentFilters(
        chosen["city_code"] or None,
        chosen["category"] or None,
        chosen["marker_status"] or None,
        chosen["name"] or None,
        chosen["status"] or None,
    )


def _list_page(
    request: Request,
    session: Session,
    reader: Principal,
    chosen: dict[str, str],
    *,
    page: int = 1,
    not_found: str = "",
    retry: Retry | None = None,
) -> Response:
    today = local_today()
    found = queries.talent_page(
        session, reader, _filters(session, chosen), page=page, page_size=PAGE_SIZE, today=today
    )
    keyring = get_keyring()
    active = {k: v for k, v in chosen.items() if v}
    base = str(request.app.url_path_for("page_talent_list"))
    query = urlencode(active)
    context = {
        "items": [outputs.talent_item(t, keyring, today) for t in found.items],
        "total": found.total,
        "page": page,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
        "page_url": lambda n: f"{base}?{urlencode({**active, 'page': n})}",
        "export_url": f"{request.app.url_path_for('page_talent_export')}?{query}",
        "print_url": f"{request.app.url_path_for('page_talent_print')}?{query}",
        "filters": chosen,
        # Those the province added too, and deactivated ones: records may still hold them.
        "categories": [row.code for row in codes_of(session.connection(), "categories")],
        "not_found": not_found,
        "error": retry.error if retry else "",
    }
    return render(request, "talents.html", context, status_code=retry.status if retry else 200)


def _all_items(
    session: Session, reader: Principal, chosen: dict[str, str]
) -> tuple[list[TalentListItem], int]:
    """The whole filtered list up to `EXPORT_LIMIT` rows, and how many there are in all."""
    today = local_today()
    found = queries.talent_page(
        session, reader, _filters(session, chosen), page=1, page_size=EXPORT_LIMIT, today=today
    )
    keyring = get_keyring()
    refresh_labels(session.connection(), "categories")  # the export and print name them
    return [outputs.talent_item(t, keyring, today) for t in found.items], found.total


def _export_title(chosen: dict[str, str], total: int, shown: int) -> str:
    parts = ["人才名录"]
    if chosen["city_code"]:
        parts.append(city_names().get(chosen["city_code"], chosen["city_code"]))
    if chosen["name"]:
        parts.append(f"姓名含“{chosen['name']}”")
    line = "，".join(parts) + f"，共 {total} 人"
    if shown < total:
        line += f"（仅含前 {shown} 人，请缩小筛选范围）"
    return line


def _revocation(request: Request, talent: Talent, reason: str, exit_reason: str) -> Confirmation:
    assert talent.marker is not None
    dependents = len(talent.dependents)
    record = str(request.app.url_path_for("page_talent_record", talent_id=str(talent.id)))
    return Confirmation(
        title=f"确认撤销{talent.name}的特殊标识 {talent.marker.code}？",
        consequences=[
            f"{talent.name}（1 人）立即失去全部优先服务资格，公开核验页显示标识无效；"
            + (f"其登记的 {dependents} 名家属随之失去优先服务资格；" if dependents else ""),
            f"撤销原因记入变更历史和审计记录：{reason}",
            "撤销后如需恢复，须另行办理恢复标识。",
        ],
        button="确认撤销标识",
        action=str(
            request.app.url_path_for(
                "page_talent_marker_action", talent_id=str(talent.id), verb="revoke"
            )
        ),
        back=record,
        fields={"reason": reason, "exit_reason": exit_reason},
    )


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
    access = access_log.talent_access_log(
        session, reader, talent.id, cursor=None, limit=ACCESS_LOG_SIZE
    )
    callers = [f"{e.caller_kind}:{e.caller_name}" for e in access.items]
    context: dict[str, Any] = {
        "talent": talent_detail(session, talent),
        "timeline": as_of.timeline(as_of.marker_changes(versions), local_today()),
        "history": [outputs.version_out(v) for v in versions],
        "access": access,
        "who": names_for(session, [*(v.actor for v in versions), *callers]),
        "can_act": reader.role == Role.province_admin,
        "can_grant": _grantable(talent),
        "skill_levels": SKILL_LEVEL_ZH,
        "exit_reasons": [r for r in codes_of(session.connection(), "exit-reasons") if r.active],
        "notice": notice,
        "error": retry.error if retry else "",
    }
    return render(request, "talent.html", context, status_code=retry.status if retry else 200)


def _grantable(talent: Any) -> bool:
    """Whether a hand grant applies: eligible, filed, with no marker or an expired one."""
    if talent.status != "filed" or not talent.eligible:
        return False
    marker = talent.marker
    return marker is None or markers.effective_status(marker, local_today()) == "expired"


def _refused(
    request: Request, admin: Principal, talent_id: uuid.UUID, error: str, status: int
) -> FormRefused:
    return FormRefused(
        lambda session, retry: _record_page(request, session, admin, talent_id, retry=retry),
        error=error,
        status=status,
    )
