"""The rows a filing writes, queued and written in bulk instead of through the unit of work.

An approval files up to 100,000 records in one transaction. Through the ORM each record
(talent, marker, honours, dependents, version) costs about a millisecond to build and
flush; as bulk inserts (`core.bulk_insert`) it costs a few microseconds. So
`service.file_planned` computes the rows and queues them here, and the filing writes the
queue itself (`PendingWrites.write`, in foreign-key order) once per slice of rows, before
it reads or audits anything more: nothing is written behind another statement's back.
Records loaded before are expired once written, so they reload when read.

A record's UPDATE carries the version it was loaded at: if another transaction moved it
since, the write raises `StaleDataError`, as the ORM's version check would.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.bulk_insert import insert_rows
from app.core.db import Base
from app.core.types import utcnow

_CHUNK = 500


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


class PendingWrites:
    def __init__(self) -> None:
        # One filing, one time: every row it writes is stamped with the moment it began
        # (as PostgreSQL's now() is the transaction's), which also lets the bulk insert
        # convert the time once instead of once a row.
        self.now = utcnow()
        self.clear()

    def clear(self) -> None:
        self.inserts: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("talent", "marker", "honor", "dependent", "talent_version")
        }
        self.talent_updates: list[dict[str, Any]] = []
        self.marker_updates: list[dict[str, Any]] = []
        self.replaced: dict[str, list[uuid.UUID]] = {"honor": [], "dependent": []}
        self.stale: list[object] = []

    def insert(self, table: str, row: dict[str, Any]) -> None:
        self.inserts[table].append(row)

    def update_talent(self, talent_id: uuid.UUID, loaded_version: int, row: dict[str, Any]) -> None:
        self.talent_updates.append({"b_id": talent_id, "b_version": loaded_version, **row})

    def update_marker(self, marker_id: uuid.UUID, row: dict[str, Any]) -> None:
        self.marker_updates.append({"b_id": marker_id, **row})

    def replace_children(
        self, table: str, talent_id: uuid.UUID, rows: list[dict[str, Any]]
    ) -> None:
        """Delete the record's rows of `table` (honor or dependent), then insert `rows`."""
        self.replaced[table].append(talent_id)
        self.inserts[table].extend(rows)

    def expire_after_write(self, *objects: object) -> None:
        self.stale.extend(obj for obj in objects if obj is not None)

    def write(self, session: Session) -> None:
        """Write what is queued in `session`'s transaction, and empty the queue."""
        inserts, updates, markers = self.inserts, self.talent_updates, self.marker_updates
        replaced, stale = self.replaced, self.stale
        self.clear()
        _insert(session, "talent", inserts["talent"])
        if updates:
            talent = _table("talent")
            result = session.execute(
                update(talent).where(
                    talent.c.id == bindparam("b_id"), talent.c.version == bindparam("b_version")
                ),
                updates,
            )
            if result.rowcount != len(updates):  # type: ignore[attr-defined]
                raise StaleDataError("a record was changed by another transaction meanwhile")
        for name, talent_ids in replaced.items():
            table = _table(name)
            for start in range(0, len(talent_ids), _CHUNK):
                chunk = talent_ids[start : start + _CHUNK]
                session.execute(delete(table).where(table.c.talent_id.in_(chunk)))
        _insert(session, "marker", inserts["marker"])
        if markers:
            marker = _table("marker")
            session.execute(update(marker).where(marker.c.id == bindparam("b_id")), markers)
        for name in ("honor", "dependent", "talent_version"):
            _insert(session, name, inserts[name])
        for obj in stale:
            session.expire(obj)


def _insert(session: Session, name: str, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session.connection(), _table(name), rows)
