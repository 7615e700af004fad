"""Checkpoint SQLite's write-ahead log in the background, not inside writers' commits.

By default the commit that takes the log past 1000 pages copies them back into the
database file and syncs it, while the writer (and, behind our write turn, every writer
queued after it) waits: a batch lookup's commit went from 5 ms to 24 ms. While the server
runs, its connections skip that, and a task here runs a PASSIVE checkpoint every half
second on a worker thread: it waits for no reader or writer, so writes go on meanwhile.
Processes without it (the CLI) keep SQLite's default.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from app.core.background import repeating
from app.core.db import CHECKPOINTED_APART

log = logging.getLogger("bluecard.checkpoints")

INTERVAL_SECONDS = 0.5


@asynccontextmanager
async def checkpoints_in_background(engine: Engine) -> AsyncIterator[None]:
    """While the block runs, checkpoint `engine`'s log from here (SQLite only)."""
    if engine.dialect.name != "sqlite":
        yield
        return
    CHECKPOINTED_APART.add(engine)
    engine.dispose()  # pooled connections were opened with the default
    try:
        job = partial(run_in_threadpool, checkpoint, engine)
        async with repeating(job, INTERVAL_SECONDS, name="wal checkpoint"):
            yield
    finally:
        CHECKPOINTED_APART.discard(engine)
        engine.dispose()  # back to the default for whoever uses the engine next
        await run_in_threadpool(checkpoint, engine)


def checkpoint(engine: Engine) -> None:
    try:
        # Outside any transaction: SQLite will not checkpoint inside one.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except DBAPIError as exc:  # another process's checkpoint, or the disk: next time
        log.warning("wal checkpoint skipped", extra={"reason": str(exc.orig)})
