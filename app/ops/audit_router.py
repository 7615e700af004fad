"""The audit chain: verifying it, and reading who did what (auditors and the province)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.access.auth import Auditor
from app.core import audit
from app.core.db import SessionDep
from app.ops import audit_events
from app.ops.audit_events import DEFAULT_LIMIT, MAX_LIMIT, EventFilters
from app.registry.markers import CHINA_STANDARD_TIME

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILTER_TEXT = Query(max_length=200, description="Exact value, or a prefix ending in `*`")


class ChainVerification(BaseModel):
    ok: bool
    events: int
    head: str


class AuditEventOut(BaseModel):
    seq: int = Field(description="Position in the hash chain; events are listed newest first.")
    occurred_at: datetime = Field(description="When, in China Standard Time (+08:00).")
    actor: str = Field(description="Who: `user:<username>`, `partner:<name>`, `cli:<login>`…")
    role: str
    action: str = Field(description="What, as a code: `submission.approve`, `marker.revoke`…")
    action_zh: str = Field(description="The action as the pages name it, in Chinese.")
    object: str = Field(description="The object acted on: `submission:<id>`, `partner:<id>`…")
    detail: dict[str, Any]


class AuditEventPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page."
    )


@router.get(
    "/verify",
    summary="Verify the audit chain (keyed MACs) from the last verified checkpoint to the head",
)
def audit_verify(_caller: Auditor, session: SessionDep) -> ChainVerification:
    """Verifies the audit chain (keyed MACs) from the last verified checkpoint to the head
    and says whether it is intact. Auditors and province admins; records nothing."""
    status = audit.verify(session)
    return ChainVerification(ok=status.ok, events=status.events, head=status.head)


@router.get(
    "/events",
    summary="Browse or export the audit events: who did what to which object, and when",
    response_model=AuditEventPage,
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}},
)
def audit_events_list(
    _caller: Auditor,
    session: SessionDep,
    actor: Annotated[str | None, _FILTER_TEXT] = None,
    action: Annotated[str | None, _FILTER_TEXT] = None,
    object_: Annotated[str | None, Query(alias="object", max_length=200)] = None,
    since: Annotated[datetime | None, Query(description="From this moment (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="Before this moment")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> Any:
    """The audit events newest first, filtered by actor, action and object (each exact, or a
    prefix ending in `*`) and by a time range (a time without an offset is China Standard
    Time). Pages by cursor: pass `next_cursor` back as `cursor`. `format=csv` or `xlsx`
    exports every matching event (up to 100,000; more is refused with `export_too_large`)."""
    filters = event_filters(actor, action, object_, since, until)
    if format == "csv":
        body = audit_events.export_csv(session, filters)
        return export_response(body, "text/csv; charset=utf-8", "csv")
    if format == "xlsx":
        return export_response(audit_events.export_xlsx(session, filters), XLSX_TYPE, "xlsx")
    found = audit_events.list_events(session, filters, cursor=cursor, limit=limit)
    return AuditEventPage(
        items=[event_out(event) for event in found.items], next_cursor=found.next_cursor
    )


def event_filters(
    actor: str | None,
    action: str | None,
    object_: str | None,
    since: datetime | None,
    until: datetime | None,
) -> EventFilters:
    """The filters as given, a time without an offset read as China Standard Time."""
    return EventFilters(
        actor=(actor or "").strip() or None,
        action=(action or "").strip() or None,
        object=(object_ or "").strip() or None,
        since=_aware(since),
        until=_aware(until),
    )


def event_out(event: audit.AuditEvent) -> AuditEventOut:
    return AuditEventOut(
        seq=event.seq,
        occurred_at=audit_events.local_time(event.occurred_at),
        actor=event.actor,
        role=event.role,
        action=event.action,
        action_zh=audit_events.ACTION_ZH.get(event.action, event.action),
        object=event.target,
        detail=audit_events.event_detail(event),
    )


def export_response(body: bytes, media_type: str, extension: str) -> Response:
    name = quote(f"审计记录.{extension}")
    disposition = f"attachment; filename=\"audit-events.{extension}\"; filename*=UTF-8''{name}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=CHINA_STANDARD_TIME)
