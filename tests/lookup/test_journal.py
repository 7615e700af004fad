"""The lookup journal: a batch recorded in one row, expanded into records in the database,
never lost and never recorded twice."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access import partners
from app.core.audit import SYSTEM
from app.core.db import connection_scope, session_scope
from app.core.types import utcnow
from app.lookup.journal import (
    CHUNK,
    INTERVAL_SECONDS,
    Entry,
    expand_pending,
    expand_some,
    journal_row,
    records_and_pending,
)
from app.lookup.models import JOURNAL, LookupJournal, LookupRecord
from tests.lookup.factories import make_talent, new_id_number


def counts(session: Session) -> tuple[int, int]:
    """(journal rows, lookup records)."""
    journal = session.scalar(select(func.count()).select_from(LookupJournal))
    records = session.scalar(select(func.count()).select_from(LookupRecord))
    return int(journal or 0), int(records or 0)


def put_in_journal(session: Session, entries: list[Entry]) -> uuid.UUID:
    batch_id = uuid.uuid4()
    shared = {
        "occurred_at": utcnow(),
        "caller_kind": "partner",
        "caller_id": uuid.uuid4(),
        "caller_name": "测试系统",
        "service": "housing",
        "purpose": "日志测试",
        "query_kind": "id_number",
    }
    session.execute(JOURNAL.insert(), [journal_row(shared, batch_id, entries)])
    return batch_id


def test_expansion_copies_every_entry_and_empties_the_journal(db: Session) -> None:
    entries = [
        (uuid.uuid4().hex, "a" * 64, "priority", "holder"),
        (uuid.uuid4().hex, "b" * 64, "no_priority", None),
        (uuid.uuid4().hex, None, "invalid", None),
    ]
    batch_id = put_in_journal(db, entries)
    expand_pending(db.connection())
    assert counts(db) == (0, 3)
    records = db.scalars(select(LookupRecord).where(LookupRecord.batch_id == batch_id)).all()
    got = {(r.id.hex, r.subject_hash, r.outcome, r.basis) for r in records}
    assert got == set(entries)
    [journal_shared] = {
        (r.caller_kind, r.caller_name, r.service, r.purpose, r.query_kind) for r in records
    }
    assert journal_shared == ("partner", "测试系统", "housing", "日志测试", "id_number")


def test_a_failed_expansion_keeps_the_batch_in_the_journal(db: Session) -> None:
    good = (uuid.uuid4().hex, "a" * 64, "priority", "holder")
    broken = (uuid.uuid4().hex, "b" * 64, None, None)  # a record must have an outcome
    put_in_journal(db, [good, broken])  # type: ignore[list-item]
    with pytest.raises(IntegrityError), db.begin_nested():
        expand_pending(db.connection())
    assert counts(db) == (1, 0)  # nothing half-expanded, nothing lost


def test_expansion_works_through_the_journal_a_chunk_at_a_time(db: Session) -> None:
    for n in range(20):
        put_in_journal(db, [(uuid.uuid4().hex, f"{n:064x}", "no_priority", None)])
    assert expand_some(db.connection()) == CHUNK
    assert counts(db) == (20 - CHUNK, CHUNK)
    expand_pending(db.connection())
    assert counts(db) == (0, 20)


def test_the_running_server_expands_batches_by_itself(fresh_database_url: str) -> None:
    from app.main import create_app

    with session_scope() as session:
        holder = make_talent(session)
        partner = partners.create_partner(session, SYSTEM, name="日志", scopes=["priority:housing"])
        _, key = partners.issue_api_key(session, SYSTEM, partner)
    numbers = [holder.id_number, new_id_number(), "bad"]
    body = {"service": "housing", "purpose": "后台展开", "id_numbers": numbers}
    with TestClient(create_app()) as client:
        response = client.post(
            "/api/v1/priority/lookups", json=body, headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200
        # No reader asks: the background task alone moves the batch into the records.
        deadline = time.monotonic() + 20 * INTERVAL_SECONDS
        while time.monotonic() < deadline:
            with session_scope() as session:
                if counts(session) == (0, 3):
                    break
            time.sleep(INTERVAL_SECONDS / 5)
        with session_scope() as session:
            assert counts(session) == (0, 3)


def test_a_stopping_server_expands_what_is_left(fresh_database_url: str) -> None:
    from app.main import create_app

    with session_scope() as session:
        put_in_journal(session, [(uuid.uuid4().hex, "c" * 64, "no_priority", None)])
    with TestClient(create_app()):
        pass
    with session_scope() as session:
        assert counts(session) == (0, 1)


def test_two_expanders_at_once_take_different_batches(fresh_database_url: str) -> None:
    """Several server workers expand the same journal: a batch one of them is expanding
    is skipped by the others (PostgreSQL's SKIP LOCKED; SQLite has one writer anyway)."""
    if fresh_database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time")
    with session_scope() as session:
        for n in range(10):
            put_in_journal(session, [(uuid.uuid4().hex, f"{n:064x}", "no_priority", None)])
    with connection_scope() as first, connection_scope() as second:
        assert expand_some(first, skip_locked=True) == CHUNK
        assert expand_some(second, skip_locked=True) == 10 - CHUNK
        assert expand_some(second, skip_locked=True) == 0
    with session_scope() as session:
        assert counts(session) == (0, 10)
        records = session.scalars(select(LookupRecord.subject_hash)).all()
    assert sorted(records) == [f"{n:064x}" for n in range(10)]


def test_a_reader_meets_an_expansion_in_progress_and_sees_each_lookup_once(
    fresh_database_url: str,
) -> None:
    """The access log must never miss a lookup nor show one twice: a reader that meets
    batches another transaction is expanding reads them from the journal, without waiting
    and without writing; once the expansion commits, from the records."""
    if fresh_database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time")
    with session_scope() as session:
        for n in range(3):
            put_in_journal(session, [(uuid.uuid4().hex, f"{n:064x}", "no_priority", None)])

    def read() -> int:
        with connection_scope(read_only=True) as reader:
            records = records_and_pending(reader.dialect.name)
            return int(reader.scalar(select(func.count()).select_from(records)) or 0)

    with ThreadPoolExecutor(max_workers=1) as pool:
        with connection_scope() as expander:
            assert expand_some(expander, skip_locked=True) == 3
            assert pool.submit(read).result(timeout=30) == 3  # not blocked by the locks
        assert pool.submit(read).result(timeout=30) == 3
    with session_scope() as session:
        assert counts(session) == (0, 3)
