"""Approval with real commits: exactly once under 16 concurrent approvals, all or nothing.

Each test has a database of its own (`fresh_database_url`); every request commits for real,
through its own application and client, as separate workers would.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.access import service as access
from app.core import audit
from app.core.audit import SYSTEM, AuditEvent
from app.core.db import session_scope
from app.filing import apply
from app.filing.models import Submission, SubmissionRow
from app.main import create_app
from app.registry.models import Marker, Talent, TalentVersion
from tests.conftest import DEMO_PASSWORD
from tests.filing.api import HOLDER_CITY, call, upload
from tests.filing.writers import people, write_json

PARALLEL = 16


def bearer(role: str, city_code: str | None = None) -> dict[str, str]:
    with session_scope() as session:
        user = access.create_user(
            session,
            SYSTEM,
            username=f"{role}-committed",
            password=DEMO_PASSWORD,
            role=role,
            city_code=city_code,
        )
        token = access.issue_token(session, user).token
    return {"Authorization": f"Bearer {token}"}


def pending_submission(tmp_path: Path, city: dict[str, str], count: int) -> str:
    with TestClient(create_app()) as client:
        created = upload(
            client,
            city,
            write_json(tmp_path / "city.json", people(50, count, city_code=HOLDER_CITY)),
        )
        assert created.status_code == 201, created.text
        submitted = call(client, "POST", "submission_submit", city, created.json()["id"])
        assert submitted.status_code == 200, submitted.text
    return str(created.json()["id"])


def count(model: type, *where: object) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_sixteen_parallel_approvals_apply_exactly_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    city, province = bearer("city_operator", HOLDER_CITY), bearer("province_admin")
    sid = pending_submission(tmp_path, city, count=20)
    start = threading.Barrier(PARALLEL)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def approve() -> None:
        with TestClient(create_app()) as client:
            start.wait()
            response = call(client, "POST", "submission_approve", province, sid)
        body = response.json()
        with lock:
            answers.append((response.status_code, body.get("code") or body["status"]))

    threads = [threading.Thread(target=approve) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [(200, "applied")] + [(409, "invalid_transition")] * (PARALLEL - 1)
    assert count(Talent) == 20
    with session_scope() as session:
        assert session.scalar(select(func.count(Talent.id_hash.distinct()))) == 20
    assert count(Marker) == 20
    assert count(TalentVersion) == 20
    assert count(AuditEvent, AuditEvent.action == "submission.approve") == 1
    with session_scope() as session:
        assert audit.verify(session).ok


def test_failure_mid_apply_leaves_nothing_applied(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows 1-2 are written and flushed, then row 4 (a second copy of row 3's person) breaks
    the registry's one-record-per-person constraint: the whole approval must roll back."""
    city, province = bearer("city_operator", HOLDER_CITY), bearer("province_admin")
    sid = pending_submission(tmp_path, city, count=3)
    with session_scope() as session:
        third = session.scalar(select(SubmissionRow).where(SubmissionRow.row_no == 3))
        assert third is not None
        copied = {
            c.key: getattr(third, c.key) for c in SubmissionRow.__table__.columns if c.key != "id"
        }
        session.add(SubmissionRow(**{**copied, "row_no": 4}))
    monkeypatch.setattr(apply, "CHUNK_ROWS", 2)

    with TestClient(create_app()) as client:
        response = call(client, "POST", "submission_approve", province, sid)

    assert response.status_code == 409
    assert response.json()["code"] == "registry_changed"
    with session_scope() as session:
        submission = session.get(Submission, uuid.UUID(sid))
        assert submission is not None and submission.status == "pending_review"
        assert submission.decided_at is None
    assert (count(Talent), count(Marker), count(TalentVersion)) == (0, 0, 0)
    assert count(AuditEvent, AuditEvent.action == "submission.approve") == 0
