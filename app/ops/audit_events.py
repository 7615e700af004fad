"""Reading the audit chain back: who did what to which object, filtered, newest first.

Pages go by keyset on `seq` (the chain's own order), never by offset: a cursor names the
last event seen, so the next page costs the same however deep, and events appended while
someone reads do not shift the pages. Exports (CSV, XLSX) give every event the filters
match, up to `EXPORT_MAX`; beyond it the caller is asked to narrow the filters.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.core.errors import InvalidInput, field_error
from app.registry.markers import CHINA_STANDARD_TIME

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
EXPORT_MAX = 100_000
_ESCAPE = "\\"

# The actions the system records, as an auditor reads them; an unknown code shows as itself.
ACTION_ZH: dict[str, str] = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "user.create": "创建用户",
    "user.rename": "修改用户姓名",
    "user.role_change": "变更用户岗位",
    "user.password_reset": "重置密码",
    "user.enable": "启用用户",
    "user.disable": "停用用户",
    "partner.create": "登记合作系统",
    "partner.update": "修改合作系统",
    "api_key.create": "签发密钥",
    "api_key.revoke": "吊销密钥",
    "submission.create": "上传报送",
    "submission.submit": "提交省级审核",
    "submission.approve": "审核通过并备案",
    "submission.reject": "退回报送",
    "talent.update": "修改人才记录",
    "marker.suspend": "暂停标识",
    "marker.reinstate": "恢复标识",
    "marker.revoke": "撤销标识",
    "cards.import": "导入蓝卡资源库",
    "assistance.case.open": "开立帮扶案件",
    "assistance.case.update": "更新帮扶情况",
    "assistance.service.add": "记录家属服务",
    "assistance.case.close": "帮扶案件结案",
    "studio.application.submit": "工作室申报",
    "studio.application.accept": "受理工作室申报",
    "studio.application.approve": "批准设立工作室",
    "studio.application.reject": "不予批准工作室",
    "task.report.add": "重点任务进展报告",
    "keys.rotate": "轮换数据密钥",
    "keys.reencrypt": "重新加密数据",
    "keys.rotate_signing": "轮换签名密钥",
    "backup": "数据备份",
}
EXPORT_HEADERS = ("序号", "时间（北京时间）", "操作人", "岗位", "操作", "操作代码", "对象", "详情")


@dataclass(frozen=True)
class EventFilters:
    """Exact values, or a prefix when the value ends in `*` (`submission.*`)."""

    actor: str | None = None
    action: str | None = None
    object: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> list[ColumnElement[bool]]:
        conditions = [
            _matches(column, value)
            for column, value in (
                (AuditEvent.actor, self.actor),
                (AuditEvent.action, self.action),
                (AuditEvent.target, self.object),
            )
            if value
        ]
        if self.since is not None:
            conditions.append(AuditEvent.occurred_at >= self.since)
        if self.until is not None:
            conditions.append(AuditEvent.occurred_at < self.until)
        return conditions


@dataclass(frozen=True)
class EventSlice:
    items: Sequence[AuditEvent]
    next_cursor: str | None


def list_events(
    session: Session, filters: EventFilters, *, cursor: str | None, limit: int
) -> EventSlice:
    """One page, newest first, after the event `cursor` names."""
    query = _query(filters)
    if cursor is not None:
        query = query.where(AuditEvent.seq < decode_cursor(cursor))
    rows = session.scalars(query.limit(limit + 1)).all()
    if len(rows) <= limit:
        return EventSlice(rows, None)
    return EventSlice(rows[:limit], encode_cursor(rows[limit - 1].seq))


def count_events(session: Session, filters: EventFilters) -> int:
    conditions = filters.where()
    query = select(func.count()).select_from(AuditEvent)
    return session.scalar(query.where(and_(*conditions)) if conditions else query) or 0


def export_rows(session: Session, filters: EventFilters) -> Iterator[list[str]]:
    """Every matching event as a row of `EXPORT_HEADERS`, newest first; refused (422) when
    more than `EXPORT_MAX` match."""
    total = count_events(session, filters)
    if total > EXPORT_MAX:
        message = f"符合条件的审计记录有 {total} 条，超过导出上限 {EXPORT_MAX} 条，请缩小时间范围"
        raise InvalidInput(
            message, code="export_too_large", errors=[field_error("since", "too_many", message)]
        )
    events = session.scalars(_query(filters).execution_options(yield_per=2000))
    for event in events:
        yield [
            str(event.seq),
            local_time(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor,
            event.role,
            ACTION_ZH.get(event.action, event.action),
            event.action,
            event.target,
            event.detail,
        ]


def export_csv(session: Session, filters: EventFilters) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese as it is."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    writer.writerows(_defused(row) for row in export_rows(session, filters))
    return text.getvalue().encode("utf-8-sig")


def export_xlsx(session: Session, filters: EventFilters) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计记录")
    sheet.append(list(EXPORT_HEADERS))
    for row in export_rows(session, filters):
        sheet.append([int(row[0]), *(_defused(row[1:]))])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def event_detail(event: AuditEvent) -> dict[str, Any]:
    try:
        detail = json.loads(event.detail)
    except ValueError:
        return {"text": event.detail}
    return detail if isinstance(detail, dict) else {"value": detail}


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(CHINA_STANDARD_TIME)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"seq": seq}).encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        seq = json.loads(raw)["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**63:
            raise ValueError(seq)
        return seq
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        message = "分页游标无效，请从第一页重新获取"
        raise InvalidInput(
            message,
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid_cursor", message)],
        ) from exc


def _query(filters: EventFilters) -> Select[Any]:
    return select(AuditEvent).where(*filters.where()).order_by(AuditEvent.seq.desc())


def _matches(column: Any, value: str) -> ColumnElement[bool]:
    if not value.endswith("*"):
        return column == value  # type: ignore[no-any-return]
    prefix = value.rstrip("*")
    escaped = prefix.replace(_ESCAPE, _ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape=_ESCAPE)  # type: ignore[no-any-return]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(row: Sequence[str]) -> list[str]:
    """A cell a spreadsheet would run as a formula is kept as text (a leading apostrophe)."""
    return [f"'{cell}" if cell.startswith(_FORMULA_START) else cell for cell in row]
