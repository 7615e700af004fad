"""Retention of the lookup record: a month past `lookup_retention_months` is archived to a
compressed file, its SHA-256 chained in the audit trail, and then removed.

The archive is gzip JSON lines, a record per line, oldest first, written to a temporary
name, synced and renamed, so a file under its final name is always whole. Then the
month goes: on PostgreSQL its partition is detached and dropped in the transaction that
records the audit event; rows in the default partition, and every month on SQLite, are
deleted a chunk per transaction, so no writer waits long behind the delete. Should the
removal be interrupted, the next run archives what is left to a further part
(`...YYYY-MM.2.jsonl.gz`): nothing is removed that is not in an archive first.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.core import audit
from app.core.background import repeating
from app.core.db import get_engine
from app.core.settings import get_settings
from app.core.types import utcnow
from app.lookup import partitions
from app.lookup.models import RECORDS
from app.lookup.partitions import Month

log = logging.getLogger("bluecard.lookup.retention")

# Rows deleted per transaction where a month cannot be dropped whole.
DELETE_CHUNK = 5000
INTERVAL_SECONDS = 6 * 3600.0
_READ_CHUNK = 10_000


@dataclass(frozen=True)
class Archived:
    month: str  # YYYY-MM (UTC)
    path: Path
    sha256: str
    rows: int


def cutoff(now: datetime, retention_months: int) -> datetime:
    """Records before this moment are past retention: the start of the month that is
    `retention_months` before the current one."""
    return partitions.month_start(
        partitions.add_months(partitions.month_of(now), -retention_months)
    )


def retained_since(now: datetime | None = None) -> datetime:
    """The oldest moment a reader of the records need look at (a bound for pruning)."""
    return cutoff(now or utcnow(), get_settings().lookup_retention_months)


def maintain(
    engine: Engine,
    *,
    now: datetime | None = None,
    retention_months: int | None = None,
    archive_dir: Path | None = None,
    actor: audit.Actor = audit.SYSTEM,
) -> list[Archived]:
    """Partitions created ahead, then every month past retention archived and removed."""
    settings = get_settings()
    now = now or utcnow()
    _ensure(engine, now)
    months = settings.lookup_retention_months if retention_months is None else retention_months
    before = cutoff(now, months)
    folder = archive_dir or settings.archive_dir
    archived = []
    while (month := _oldest_expired(engine, before)) is not None:
        archived.append(_archive_and_remove(engine, month, folder, actor))
    return archived


def _oldest_expired(engine: Engine, before: datetime) -> Month | None:
    """The oldest month with anything past retention, oldest first."""
    months: list[Month] = []
    with engine.connect() as connection:
        rows_outside = RECORDS
        if partitions.is_partitioned(connection):
            # Expired partitions from the catalog, empty or not: no scan needed...
            have = partitions.existing_partitions(connection)
            months += [month for month in have if month < partitions.month_of(before)]
            # ...and rows outside them, in the default partition.
            rows_outside = partitions.default_table()
        oldest = connection.scalar(
            select(func.min(rows_outside.c.occurred_at)).where(rows_outside.c.occurred_at < before)
        )
    if oldest is not None:
        # SQLite hands back text from an aggregate: the column's type is not applied.
        if not isinstance(oldest, datetime):
            oldest = datetime.fromisoformat(str(oldest))
        months.append(partitions.month_of(oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)))
    return min(months, default=None)


def _archive_and_remove(engine: Engine, month: Month, folder: Path, actor: audit.Actor) -> Archived:
    archived = _archive(engine, month, folder)
    with engine.begin() as connection:
        name = None
        if partitions.is_partitioned(connection):
            partitions.lock(connection)
            name = partitions.existing_partitions(connection).get(month)
            if name is not None:
                partitions.drop_partition(connection, name)
        with Session(connection) as session:
            audit.record(
                session,
                actor,
                "lookup.archive",
                f"lookup_record:{archived.month}",
                {"file": archived.path.name, "sha256": archived.sha256, "rows": archived.rows},
            )
            session.flush()
    # Rows outside a monthly partition (SQLite; PostgreSQL's default partition).
    low, high = _bounds(month)
    in_month = RECORDS.c.occurred_at >= low, RECORDS.c.occurred_at < high
    while True:
        with engine.begin() as connection:
            chunk = select(RECORDS.c.id).where(*in_month).limit(DELETE_CHUNK).scalar_subquery()
            if not connection.execute(delete(RECORDS).where(RECORDS.c.id.in_(chunk))).rowcount:
                break
    log.info("lookup month archived", extra={"month": archived.month, "rows": archived.rows})
    return archived


def _archive(engine: Engine, month: Month, folder: Path) -> Archived:
    label = f"{month[0]:04d}-{month[1]:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = _free_path(folder, label)
    partial = path.with_name(path.name + ".partial")
    low, high = _bounds(month)
    rows = 0
    with engine.connect() as connection, partial.open("wb") as raw:
        # mtime 0: the same rows always make the same file, and the same SHA-256.
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            for row in _rows(connection, low, high):
                out.write(to_json(row) + b"\n")
                rows += 1
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, path)
    return Archived(label, path, _sha256(path), rows)


def _rows(connection: Connection, low: datetime, high: datetime) -> Any:
    statement = (
        select(RECORDS)
        .where(RECORDS.c.occurred_at >= low, RECORDS.c.occurred_at < high)
        .order_by(RECORDS.c.occurred_at, RECORDS.c.id)
    )
    result = connection.execution_options(yield_per=_READ_CHUNK).execute(statement)
    for row in result.mappings():
        yield {key: _plain(value) for key, value in row.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, str | int) else str(value)


def _free_path(folder: Path, label: str) -> Path:
    """The month's archive, or its next part if an interrupted run left one already."""
    path, part = folder / f"lookup_record_{label}.jsonl.gz", 1
    while path.exists():
        part += 1
        path = folder / f"lookup_record_{label}.{part}.jsonl.gz"
    return path


def _bounds(month: Month) -> tuple[datetime, datetime]:
    return partitions.month_start(month), partitions.month_start(partitions.add_months(month, 1))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@asynccontextmanager
async def maintained_in_background() -> AsyncIterator[None]:
    """Partitions ensured as the server starts, then the maintenance every few hours."""
    try:
        await run_in_threadpool(_ensure_now)
    except SQLAlchemyError:  # the default partition takes the rows; the loop tries again
        log.exception("lookup partitions not ensured at start")
    async with repeating(_maintain_now, INTERVAL_SECONDS, name="lookup retention"):
        yield


def _ensure_now() -> None:
    _ensure(get_engine(), utcnow())


def _ensure(engine: Engine, now: datetime) -> None:
    if engine.dialect.name == "postgresql":  # SQLite: no partitions, no write lock taken
        with engine.begin() as connection:
            partitions.ensure_ahead(connection, now)


async def _maintain_now() -> None:
    await run_in_threadpool(maintain, get_engine())
