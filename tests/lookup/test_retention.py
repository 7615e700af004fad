"""Retention of the lookup record: months past retention archived (a file, its SHA-256 in
the audit chain) and then removed; the months kept untouched; partitions made ahead once,
however many workers do it at the same time."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from app.core import audit
from app.core.audit import AuditEvent
from app.core.db import get_engine, session_scope
from app.lookup import partitions
from app.lookup.models import RECORDS
from app.lookup.partitions import Month, add_months, month_of, month_start
from app.lookup.retention import maintain

RETENTION = 60


def at(month: Month, day: int = 10) -> datetime:
    return month_start(month) + timedelta(days=day - 1, hours=3)


def put_records(caller: uuid.UUID, moments: list[datetime]) -> None:
    rows = [
        {
            "id": uuid.uuid4(),
            "occurred_at": moment,
            "caller_kind": "partner",
            "caller_id": caller,
            "caller_name": "留存测试",
            "service": "housing",
            "purpose": "留存",
            "query_kind": "id_number",
            "subject_hash": hashlib.sha256(str(n).encode()).hexdigest(),
            "outcome": "no_priority",
            "basis": None,
        }
        for n, moment in enumerate(moments)
    ]
    with get_engine().begin() as connection:
        connection.execute(insert(RECORDS), rows)


def months_recorded(caller: uuid.UUID) -> list[datetime]:
    with get_engine().connect() as connection:
        return sorted(
            connection.scalars(
                select(RECORDS.c.occurred_at).where(RECORDS.c.caller_id == caller)
            ).all()
        )


def test_a_month_past_retention_is_archived_then_removed(
    fresh_database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    current = month_of(now)
    oldest, older = add_months(current, -RETENTION - 2), add_months(current, -RETENTION - 1)
    kept = add_months(current, -RETENTION)  # the oldest month retention keeps
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        # One expired month in a partition of its own (dropped whole), the other in the
        # default partition (deleted a chunk at a time).
        with engine.begin() as connection:
            partitions.create_partition(connection, older)
    caller = uuid.uuid4()
    put_records(caller, [at(oldest, 2), at(oldest, 20), at(older), at(kept, 1), at(current, 1)])

    archived = maintain(engine, retention_months=RETENTION, archive_dir=tmp_path)

    assert [a.month for a in archived] == [f"{m[0]:04d}-{m[1]:02d}" for m in (oldest, older)]
    assert [a.rows for a in archived] == [2, 1]
    for done in archived:
        assert done.path.exists() and done.path.parent == tmp_path
        content = done.path.read_bytes()
        assert hashlib.sha256(content).hexdigest() == done.sha256
        lines = [json.loads(line) for line in gzip.decompress(content).splitlines()]
        assert len(lines) == done.rows
        assert {line["caller_id"] for line in lines} == {str(caller)}
        assert all(len(line["subject_hash"]) == 64 for line in lines)
        with session_scope() as session:
            event = session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "lookup.archive",
                    AuditEvent.target == f"lookup_record:{done.month}",
                )
            ).one()
            detail = json.loads(event.detail)
            assert detail == {"file": done.path.name, "sha256": done.sha256, "rows": done.rows}
    # The expired months are gone, the months kept are as they were.
    assert months_recorded(caller) == [at(kept, 1), at(current, 1)]
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            assert older not in partitions.existing_partitions(connection)
    with session_scope() as session:
        assert audit.verify(session).ok
    # Nothing more to do the second time.
    assert maintain(engine, retention_months=RETENTION, archive_dir=tmp_path) == []


def test_an_interrupted_month_is_archived_again_to_a_further_part(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """Nothing is removed that no archive holds: what an earlier run left goes to part 2."""
    expired = add_months(month_of(datetime.now(UTC)), -RETENTION - 3)
    label = f"{expired[0]:04d}-{expired[1]:02d}"
    (tmp_path / f"lookup_record_{label}.jsonl.gz").write_bytes(b"an earlier run's archive")
    put_records(uuid.uuid4(), [at(expired)])
    [done] = maintain(get_engine(), retention_months=RETENTION, archive_dir=tmp_path)
    assert done.path.name == f"lookup_record_{label}.2.jsonl.gz"
    assert (
        tmp_path / f"lookup_record_{label}.jsonl.gz"
    ).read_bytes() == b"an earlier run's archive"


def test_partitions_ahead_are_made_once_by_concurrent_workers(fresh_database_url: str) -> None:
    engine = get_engine()
    far = datetime(2040, 5, 17, tzinfo=UTC)  # months no other test has made
    wanted = {partitions.partition_name(add_months(month_of(far), n)) for n in range(3)}

    def ensure() -> list[str]:
        with engine.begin() as connection:
            return partitions.ensure_ahead(connection, far)

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = [name for names in pool.map(lambda _: ensure(), range(4)) for name in names]
    if engine.dialect.name != "postgresql":
        assert made == []  # one plain table on SQLite
        return
    assert sorted(made) == sorted(wanted)  # each made once, none failed
    assert ensure() == []  # and again: nothing to do
    with engine.connect() as connection:
        have = set(partitions.existing_partitions(connection).values())
        assert wanted <= have
        # A lookup of that month lands in its own partition, not the default one.
    put_records(uuid.uuid4(), [far])
    with engine.connect() as connection:
        where = text("SELECT tableoid::regclass::text FROM lookup_record WHERE occurred_at = :at")
        assert connection.scalar(where, {"at": far}) == partitions.partition_name(month_of(far))


@pytest.mark.parametrize("offset", [0, 1, 2])
def test_months_are_added_across_years(offset: int) -> None:
    assert add_months((2026, 11), offset) == [(2026, 11), (2026, 12), (2027, 1)][offset]
    assert add_months((2027, 1), -offset) == [(2027, 1), (2026, 12), (2026, 11)][offset]


def test_a_record_with_no_month_made_yet_still_lands(fresh_database_url: str) -> None:
    """Should the maintenance stop, lookups go on: the default partition takes them."""
    far = datetime(2045, 1, 1, tzinfo=UTC)
    caller = uuid.uuid4()
    put_records(caller, [far])
    assert months_recorded(caller) == [far]
    with get_engine().connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(RECORDS).where(RECORDS.c.caller_id == caller)
        )
    assert count == 1
