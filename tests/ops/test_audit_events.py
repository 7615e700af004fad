"""`GET /api/v1/audit/events`: auditors and the province browse who did what, filtered by
actor, action, object and time, page by cursor, and export CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import AuditEvent, NamedActor
from app.core.types import utcnow
from tests.conftest import Login

EVENTS = "/api/v1/audit/events"
ALICE = NamedActor("user:alice", "province_admin")
BOB = NamedActor("user:bob", "city_operator")


def _seed(db: Session) -> None:
    for n in range(5):
        audit.record(db, ALICE, "marker.revoke", f"talent:{n}", {"reason": f"原因{n}"})
    for n in range(3):
        audit.record(db, BOB, "submission.create", f"submission:{n}", {"period": "2026Q3"})
    audit.record(db, BOB, "submission.submit", "submission:0", {"note": "=HYPERLINK(1)"})
    db.commit()


def _get(client: TestClient, who: Login, **params: Any) -> Any:
    return client.get(EVENTS, headers=who.headers, params=params)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("auditor", 200),
        ("province_admin", 200),
        ("city_operator", 403),
        ("window_clerk", 403),
    ],
)
def test_only_auditors_and_the_province_read_the_events(
    client: TestClient, login: Callable[..., Login], role: str, status: int
) -> None:
    who = login(role, "340100" if role in ("city_operator", "window_clerk") else None)
    assert _get(client, who).status_code == status
    assert client.get(EVENTS).status_code == 401


def test_filters_by_actor_action_and_object_newest_first(
    client: TestClient, db: Session, login: Callable[..., Login]
) -> None:
    _seed(db)
    auditor = login("auditor")
    alice = _get(client, auditor, actor="user:alice").json()["items"]
    assert [e["object"] for e in alice] == [f"talent:{n}" for n in (4, 3, 2, 1, 0)]
    assert alice[0]["action_zh"] == "撤销标识" and alice[0]["detail"] == {"reason": "原因4"}
    assert alice[0]["occurred_at"].endswith("+08:00")
    prefix = _get(client, auditor, action="submission.*").json()["items"]
    assert {e["action"] for e in prefix} == {"submission.create", "submission.submit"}
    one = _get(client, auditor, object="submission:0").json()["items"]
    assert [e["action"] for e in one] == ["submission.submit", "submission.create"]
    # A `_` or `%` in a prefix is itself, not a wildcard.
    assert _get(client, auditor, action="submission_*").json()["items"] == []


def test_a_time_range_without_an_offset_is_beijing_time(
    client: TestClient, db: Session, login: Callable[..., Login]
) -> None:
    _seed(db)
    old = utcnow() - timedelta(days=10)
    db.execute(update(AuditEvent).where(AuditEvent.actor == "user:alice").values(occurred_at=old))
    db.commit()
    auditor = login("auditor")
    cutoff = (utcnow() - timedelta(days=1)).astimezone(audit_tz()).replace(tzinfo=None)
    recent = _get(client, auditor, since=cutoff.isoformat()).json()["items"]
    assert recent and all(e["actor"] != "user:alice" for e in recent)
    older = _get(client, auditor, until=cutoff.isoformat()).json()["items"]
    assert {e["actor"] for e in older} == {"user:alice"}


def audit_tz() -> Any:
    from app.registry.markers import CHINA_STANDARD_TIME

    return CHINA_STANDARD_TIME


def test_the_cursor_walks_every_event_once_even_while_events_are_added(
    client: TestClient, db: Session, login: Callable[..., Login]
) -> None:
    _seed(db)
    auditor = login("auditor")
    seen: list[int] = []
    page = _get(client, auditor, limit=4).json()
    while True:
        seen += [e["seq"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        audit.record(db, ALICE, "marker.suspend", "talent:new")  # newer: not on later pages
        db.commit()
        page = _get(client, auditor, limit=4, cursor=page["next_cursor"]).json()
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen))
    assert seen[-1] == 1  # down to the chain's first event


def test_a_bad_cursor_is_a_clear_error(client: TestClient, login: Callable[..., Login]) -> None:
    auditor = login("auditor")
    for cursor in ("not-a-cursor", "eyJzZXEiOiAiMSJ9", "eyJzZXEiOiAtMX0"):
        answer = _get(client, auditor, cursor=cursor)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["code"] == "invalid_cursor"


def test_csv_and_xlsx_export_every_matching_event_in_chinese(
    client: TestClient, db: Session, login: Callable[..., Login]
) -> None:
    _seed(db)
    auditor = login("auditor")
    exported = _get(client, auditor, actor="user:bob", format="csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["序号", "时间（北京时间）", "操作人", "岗位", "操作"]
    assert len(rows) == 1 + 4
    assert rows[1][4] == "提交省级审核" and rows[1][5] == "submission.submit"
    assert all(not cell.startswith("=") for row in rows for cell in row)

    xlsx = _get(client, auditor, action="marker.revoke", format="xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "序号" and len(values) == 1 + 5
    assert values[1][4] == "撤销标识"
