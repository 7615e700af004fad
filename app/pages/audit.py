"""审计核验: the audit events browsed, filtered and exported, and the chain check, for
auditors and the province (the API's `/api/v1/audit/events`, on the same queries)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core import audit
from app.core.db import SessionDep
from app.core.errors import InvalidInput, field_error
from app.ops import audit_events
from app.ops.audit_events import ACTION_ZH, EventFilters
from app.ops.audit_router import XLSX_TYPE, export_response
from app.pages.rendering import ROLE_ZH, render
from app.pages.session import page_gate
from app.registry.markers import CHINA_STANDARD_TIME

router = APIRouter()

AuditReader = Annotated[Principal, Depends(page_gate(Role.auditor, Role.province_admin))]
PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=200)]
# A date box sends "" when left empty: text here, read by `_day`.
Day = Annotated[str, Query(max_length=20)]
# Keys of the events' details as the page names them; any other shows as itself.
_DETAIL_ZH = {
    "reason": "原因",
    "period": "期次",
    "city_code": "设区市代码",
    "prefix": "密钥前缀",
    "expires_at": "过期时间",
    "status": "状态",
    "talent_id": "人才编号",
    "username": "用户名",
    "role": "岗位",
    "name": "名称",
    "scopes": "权限范围",
    "counts": "统计",
    "kid": "密钥编号",
}
_DAY_LABELS = {"since": "起始日期", "until": "截止日期"}
_ROLES_ZH = {**ROLE_ZH, "partner": "合作系统", "system": "系统", "operator": "运维人员"}


@router.get("/audit", name="page_audit_home")
def audit_home(
    request: Request,
    _user: AuditReader,
    session: SessionDep,
    actor: Text = "",
    action: Text = "",
    object: Text = "",
    since: Day = "",
    until: Day = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    first, last = _day(since, "since"), _day(until, "until")
    chosen = {
        "actor": actor.strip(),
        "action": action.strip(),
        "object": object.strip(),
        "since": first.isoformat() if first else "",
        "until": last.isoformat() if last else "",
    }
    filters = _filters(chosen, first, last)
    found = audit_events.list_events(session, filters, cursor=cursor, limit=PAGE_SIZE)
    kept = {k: v for k, v in chosen.items() if v}
    base = str(request.app.url_path_for("page_audit_home"))
    context = {
        "events": [
            {
                "event": event,
                "when": audit_events.local_time(event.occurred_at),
                "action_zh": ACTION_ZH.get(event.action, event.action),
                "role_zh": _ROLES_ZH.get(event.role, event.role),
                "detail": audit_events.event_detail(event),
            }
            for event in found.items
        ],
        "total": audit_events.count_events(session, filters),
        "filters": chosen,
        "actions": ACTION_ZH,
        "detail_zh": _DETAIL_ZH,
        "first_url": f"{base}?{urlencode(kept)}" if cursor else None,
        "next_url": f"{base}?{urlencode({**kept, 'cursor': found.next_cursor})}"
        if found.next_cursor
        else None,
        "export_query": urlencode(kept),
    }
    return render(request, "audit.html", context)


@router.get("/audit/export.{extension}", name="page_audit_export")
def audit_export(
    extension: Literal["csv", "xlsx"],
    _user: AuditReader,
    session: SessionDep,
    actor: Text = "",
    action: Text = "",
    object: Text = "",
    since: Day = "",
    until: Day = "",
) -> Response:
    chosen = {"actor": actor.strip(), "action": action.strip(), "object": object.strip()}
    filters = _filters(chosen, _day(since, "since"), _day(until, "until"))
    if extension == "csv":
        body = audit_events.export_csv(session, filters)
        return export_response(body, "text/csv; charset=utf-8", "csv")
    return export_response(audit_events.export_xlsx(session, filters), XLSX_TYPE, "xlsx")


@router.get("/audit/verify", name="page_audit_verify")
def audit_verify(request: Request, _user: AuditReader, session: SessionDep) -> Response:
    return render(request, "audit_verify.html", {"status": audit.verify(session)})


def _filters(chosen: dict[str, str], since: date | None, until: date | None) -> EventFilters:
    """The form's days in Beijing time, `until` included."""
    return EventFilters(
        actor=chosen["actor"] or None,
        action=chosen["action"] or None,
        object=chosen["object"] or None,
        since=_start_of(since) if since else None,
        until=_start_of(until + timedelta(days=1)) if until else None,
    )


def _day(text: str, field: str) -> date | None:
    """A date box's value: none when empty, else a date or a clear refusal."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        message = f"{_DAY_LABELS[field]}应为日期，如 2026-12-01"
        errors = [field_error(field, "invalid_date", message)]
        raise InvalidInput(message, errors=errors) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_STANDARD_TIME)
