"""The lookup journal: a batch's lookups recorded in one row, expanded into records after.

Recording a batch of a thousand lookups as a thousand `LookupRecord`s in the answering
transaction put a thousand entries at random places in the index by person: more of the
batch's cost than looking the people up. `journal_row` records the batch as one
`LookupJournal` row instead, committed before the answer leaves like any record.
`expand_some` turns journal rows into records with one INSERT ... SELECT over the row's
JSON, run inside the database (no row passes through Python), and deletes them in the
same transaction: a lookup is in the journal or in the records, never in neither, never
in both. A task expands the journal in the background while the server runs
(`expanded_in_background`). Readers never expand: they read `records_and_pending`, the
records together with the journal's entries as records, so they never miss a lookup
that was answered and never take a write lock (a page view on SQLite used to queue
behind every writer to expand a batch it then only read).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    Connection,
    Insert,
    Select,
    Subquery,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from app.core.background import repeating
from app.core.db import connection_scope
from app.core.transactions import in_transaction
from app.lookup.models import JOURNAL, RECORDS

log = logging.getLogger("bluecard.lookup.journal")

INSERT_JOURNAL = insert(JOURNAL)
# Journal rows expanded per transaction: the write lock is let go between chunks.
CHUNK = 8
INTERVAL_SECONDS = 0.5

# An entry: (record id as 32 hex digits, subject_hash or None, outcome, basis or None).
Entry = tuple[str, str | None, str, str | None]


def journal_row(
    record: dict[str, Any], batch_id: uuid.UUID, entries: list[Entry]
) -> dict[str, Any]:
    """The journal row for a batch: the fields its records share, and each entry."""
    return {**record, "id": batch_id, "entries": to_json(entries).decode()}


def expand_some(connection: Connection, *, skip_locked: bool = False) -> int:
    """Expand up to `CHUNK` journal rows, oldest first, into records; return how many
    rows. `skip_locked` (PostgreSQL) leaves rows that another transaction is expanding."""
    ids = list(
        connection.scalars(
            select(JOURNAL.c.id)
            .order_by(JOURNAL.c.occurred_at, JOURNAL.c.id)  # one order: readers lock alike
            .limit(CHUNK)
            .with_for_update(skip_locked=skip_locked)
        )
    )
    if ids:
        connection.execute(_expand_statement(connection.dialect.name), {"ids": ids})
        connection.execute(delete(JOURNAL).where(JOURNAL.c.id.in_(ids)))
    return len(ids)


def expand_pending(connection: Connection) -> None:
    """Expand the whole journal in the current transaction (a downgrade, tests)."""
    while expand_some(connection):
        pass


@lru_cache
def _expand_statement(dialect: str) -> Insert:
    rows = _entries_as_records(dialect).where(JOURNAL.c.id.in_(bindparam("ids", expanding=True)))
    return insert(RECORDS).from_select(COLUMNS, rows)


def records_and_pending(dialect: str) -> Subquery:
    """The lookup records and the journal's entries not yet expanded, as one relation
    with the records' columns: what a reader reads, writing nothing."""
    return _records_and_pending(dialect)


def pending_records(dialect: str) -> Subquery:
    """The journal's entries not yet expanded, as records (the records' columns)."""
    return _pending_records(dialect)


COLUMNS = [column.name for column in RECORDS.columns]


@lru_cache
def _pending_records(dialect: str) -> Subquery:
    return _entries_as_records(dialect).subquery("pending_records")


@lru_cache
def _records_and_pending(dialect: str) -> Subquery:
    records = select(*(RECORDS.c[name] for name in COLUMNS))
    return union_all(records, _entries_as_records(dialect)).subquery("lookup_records")


def _entries_as_records(dialect: str) -> Select[Any]:
    """Each journal entry as a record, in the records' column order."""
    if dialect == "postgresql":
        entry = func.jsonb_array_elements(sql_cast(JOURNAL.c.entries, JSONB)).table_valued("value")

        def field(index: int) -> Any:
            return entry.c.value.op("->>")(literal_column(str(index)))

        digest = func.decode(field(1), literal_column("'hex'"))
    else:
        entry = func.json_each(JOURNAL.c.entries).table_valued("value")

        def field(index: int) -> Any:
            return func.json_extract(entry.c.value, f"$[{index}]")

        digest = func.unhex(field(1))  # registered on every connection (`core.db`)

    shared = ("occurred_at", "caller_kind", "caller_id", "caller_name", "service", "purpose")
    return select(
        sql_cast(field(0), RECORDS.c.id.type).label("id"),
        *(JOURNAL.c[name] for name in shared),
        JOURNAL.c.query_kind,
        type_coerce(digest, RECORDS.c.subject_hash.type).label("subject_hash"),
        field(2).label("outcome"),
        field(3).label("basis"),
        JOURNAL.c.id.label("batch_id"),
    ).select_from(JOURNAL.join(entry, true()))


@asynccontextmanager
async def expanded_in_background() -> AsyncIterator[None]:
    """While the block runs, expand the journal every `INTERVAL_SECONDS`; and once more
    when it ends, so that a server stops with its last batches in the records."""
    try:
        async with repeating(expand_journal, INTERVAL_SECONDS, name="lookup journal"):
            yield
    finally:
        await expand_journal()


async def expand_journal() -> None:
    """Expand the journal a chunk per transaction, each taking its turn with the other
    writers, until nothing is left that no one else is expanding."""
    try:
        while await run_in_threadpool(_anything_pending):
            if not await in_transaction(_expand_unlocked, connection_scope):
                return
    except SQLAlchemyError as exc:  # the database is away or busy: the journal keeps
        reason = str(exc.orig) if isinstance(exc, DBAPIError) else type(exc).__name__
        log.warning("lookup journal not expanded", extra={"reason": reason})


def _anything_pending() -> bool:
    # A snapshot read first: on SQLite it takes no write lock when there is nothing to do.
    with connection_scope(read_only=True) as connection:
        return connection.scalar(select(JOURNAL.c.id).limit(1)) is not None


def _expand_unlocked(connection: Connection) -> int:
    return expand_some(connection, skip_locked=True)
