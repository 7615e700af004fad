"""What a database holds, reduced to figures two databases can be compared by."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.core.db import get_engine
from app.models import Base
from app.registry.models import Dependent, Honor, Marker, Talent
from tests.conftest import reset_caches


@contextmanager
def pointed_at(url: str, *, key_file: Path | None = None) -> Iterator[None]:
    """Settings (database, and key file if given) pointed elsewhere for the block."""
    saved = {name: os.environ.get(name) for name in ("BLUECARD_DATABASE_URL", "BLUECARD_KEY_FILE")}
    os.environ["BLUECARD_DATABASE_URL"] = url
    if key_file is not None:
        os.environ["BLUECARD_KEY_FILE"] = str(key_file)
    reset_caches()
    try:
        yield
    finally:
        get_engine().dispose()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_caches()


def settle(url: str, timeout: float = 60.0) -> None:
    """Wait until no other session works in the database: on PostgreSQL a killed client's
    transaction runs on until its backend notices, and may still commit (COMMIT was sent)
    or roll back. SQLite's locks die with the process."""
    if not url.startswith("postgresql"):
        return
    busy = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
    )
    deadline = time.monotonic() + timeout
    with get_engine().connect() as connection:
        while connection.execute(busy).scalar():
            assert time.monotonic() < deadline, "the killed server's transactions never ended"
            time.sleep(0.05)
            connection.rollback()


def table_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def registry_checksum(session: Session) -> str:
    """A digest of every record and its marker: equal digests, equal registries.

    Values drawn at random (row ids, marker codes) are left out, so two databases that
    approved the same submission on the same day give the same digest."""
    digest = hashlib.sha256()
    honours = select(Honor.talent_id, func.count().label("n")).group_by(Honor.talent_id).subquery()
    kin = select(Dependent.talent_id, func.count().label("n")).group_by(Dependent.talent_id)
    kin_counts = kin.subquery()
    rows = session.execute(
        select(
            Talent.id_hash,
            Talent.version,
            Talent.status,
            Talent.eligible,
            Talent.name,
            Talent.city_code,
            Talent.employer,
            Talent.filed_on,
            Talent.last_submission_id,
            honours.c.n,
            kin_counts.c.n,
            Marker.code.is_not(None),
            Marker.status,
            Marker.granted_on,
            Marker.valid_until,
        )
        .outerjoin(Marker, Marker.talent_id == Talent.id)
        .outerjoin(honours, honours.c.talent_id == Talent.id)
        .outerjoin(kin_counts, kin_counts.c.talent_id == Talent.id)
        .order_by(Talent.id_hash)
    )
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
