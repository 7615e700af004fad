"""Retention: closed submissions lose their uploaded rows after the retention time (counts,
SHA-256 and errors stay), spent login failure counts go, and nothing else is touched.

Each test has a database of its own (`fresh_database_url`), since retention commits a
transaction per chunk, as the server's background loop and `bluecard retention run` do.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.access import service as access
from app.access.models import LoginThrottle
from app.cli import main
from app.core import audit
from app.core.audit import SYSTEM, AuditEvent
from app.core.db import session_scope
from app.core.keys import get_keyring
from app.core.types import utcnow
from app.filing import retention
from app.filing.models import Submission, SubmissionError, SubmissionRow
from app.filing.sealed import RECORD_CONTEXT
from app.main import create_app
from app.ops.retention import apply_retention
from tests.conftest import DEMO_PASSWORD

NOW = utcnow()
DAYS = 90  # the default of BLUECARD_UPLOAD_ROW_RETENTION_DAYS


def submission(
    status: str, *, created: timedelta, decided: timedelta | None, rows: int
) -> uuid.UUID:
    """A submission closed or opened that long ago, with `rows` rows and one row error."""
    with session_scope() as session:
        filed = Submission(
            city_code="340100",
            period="2026Q3",
            status=status,
            file_name="city.json",
            file_format="json",
            sha256="ab" * 32,
            size_bytes=100,
            counts={"rows": rows + 1, "errors": 1, "create": rows},
            created_by="city",
            created_at=NOW - created,
            decided_at=None if decided is None else NOW - decided,
        )
        session.add(filed)
        session.flush()
        for row_no in range(1, rows + 1):
            session.add(
                SubmissionRow(
                    submission_id=filed.id,
                    row_no=row_no,
                    action="upsert",
                    id_hash=uuid.uuid4().hex * 2,
                    id_masked="340102**********1X",
                    outcome="create",
                    record_cipher=get_keyring().encrypt("{}", context=RECORD_CONTEXT),
                )
            )
        session.add(
            SubmissionError(
                submission_id=filed.id, row_no=rows + 1, field="id_number", code="x", message="错"
            )
        )
        return filed.id


def rows_of(submission_id: uuid.UUID) -> int:
    with session_scope() as session:
        where = SubmissionRow.submission_id == submission_id
        return session.scalar(select(func.count()).select_from(SubmissionRow).where(where)) or 0


def test_rows_go_after_the_retention_time_and_the_rest_stays(fresh_database_url: str) -> None:
    day = timedelta(days=1)
    expired = {
        "applied": submission("applied", created=100 * day, decided=DAYS * day + day, rows=7),
        "rejected": submission("rejected", created=200 * day, decided=95 * day, rows=2),
        "invalid": submission("invalid", created=DAYS * day + day, decided=None, rows=3),
    }
    kept = {
        "recently applied": submission("applied", created=100 * day, decided=89 * day, rows=4),
        "recent invalid": submission("invalid", created=89 * day, decided=None, rows=2),
        "open for long": submission("pending_review", created=400 * day, decided=None, rows=3),
        "never submitted": submission("validated", created=400 * day, decided=None, rows=1),
    }

    forgotten = asyncio.run(apply_retention(NOW))

    assert (forgotten.submissions, forgotten.submission_rows) == (3, 12)
    assert {name: rows_of(sid) for name, sid in expired.items()} == dict.fromkeys(expired, 0)
    assert {name: rows_of(sid) for name, sid in kept.items()} == {
        "recently applied": 4,
        "recent invalid": 2,
        "open for long": 3,
        "never submitted": 1,
    }
    with session_scope() as session:
        for sid in expired.values():
            closed = session.get(Submission, sid)
            assert closed is not None and closed.sha256 == "ab" * 32 and closed.counts["errors"]
            errors = select(func.count()).where(SubmissionError.submission_id == sid)
            assert session.scalar(errors) == 1
        purged = session.scalars(
            select(AuditEvent.target).where(AuditEvent.action == "submission.rows_purged")
        ).all()
        assert sorted(purged) == sorted(f"submission:{sid}" for sid in expired.values())
        assert audit.verify(session).ok
    # A second run finds nothing more to do.
    again = asyncio.run(apply_retention(NOW))
    assert (again.submissions, again.submission_rows) == (0, 0)


def test_purge_goes_a_chunk_at_a_time_in_file_order(fresh_database_url: str) -> None:
    sid = submission("rejected", created=timedelta(days=200), decided=timedelta(days=100), rows=5)
    with session_scope() as session:
        assert retention.purge_rows(session, sid, chunk=2) == 2
        left = session.scalars(
            select(SubmissionRow.row_no).where(SubmissionRow.submission_id == sid)
        )
        assert sorted(left) == [3, 4, 5]
    with session_scope() as session:
        assert [retention.purge_rows(session, sid, chunk=2) for _ in range(3)] == [2, 1, 0]


def test_the_preview_of_a_purged_submission_says_so(fresh_database_url: str) -> None:
    sid = submission("applied", created=timedelta(days=200), decided=timedelta(days=100), rows=2)
    with session_scope() as session:
        user = access.create_user(
            session, SYSTEM, username="auditor-r", password=DEMO_PASSWORD, role="auditor"
        )
        headers = {"Authorization": f"Bearer {access.issue_token(session, user).token}"}
    asyncio.run(apply_retention(NOW))
    with TestClient(create_app()) as client:
        url = client.app.url_path_for("submission_preview", submission_id=str(sid))  # type: ignore[attr-defined]
        body = client.get(url, headers=headers).json()
        report_url = client.app.url_path_for("submission_report", submission_id=str(sid))  # type: ignore[attr-defined]
        report = client.get(report_url, headers=headers).json()
    assert body["items"] == [] and body["total"] == 0
    kept_until = datetime.fromisoformat(body["rows_kept_until"])
    assert kept_until == NOW - timedelta(days=100) + timedelta(days=DAYS)
    assert [e["row"] for e in report["errors"]] == [3]


def test_spent_login_failure_counts_go_and_live_ones_stay(fresh_database_url: str) -> None:
    minute = timedelta(minutes=1)  # the lock-out period is 15 minutes
    throttles = {
        "locked now": (NOW + 5 * minute, NOW - 10 * minute),
        "lock ended, failure old": (NOW - minute, NOW - 16 * minute),
        "lock ended, failure recent": (NOW - minute, NOW - 2 * minute),
        "recent failure": (None, NOW - 14 * minute),
        "old failure": (None, NOW - 16 * minute),
        "counter reset on success": (None, None),
    }
    with session_scope() as session:
        for name, (locked_until, last_failure_at) in throttles.items():
            session.add(
                LoginThrottle(
                    username=name,
                    address="203.0.113.7",
                    failures=1,
                    locked_until=locked_until,
                    last_failure_at=last_failure_at,
                )
            )

    forgotten = asyncio.run(apply_retention(NOW))

    with session_scope() as session:
        left = set(session.scalars(select(LoginThrottle.username)))
    assert left == {"locked now", "lock ended, failure recent", "recent failure"}
    assert forgotten.login_throttles == 3


def test_the_command_applies_retention(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = submission("rejected", created=timedelta(days=200), decided=timedelta(days=100), rows=3)
    assert main(["retention", "run"]) == 0
    assert rows_of(sid) == 0
    assert "uploaded rows deleted: 3 (of 1 closed submissions)" in capsys.readouterr().out
