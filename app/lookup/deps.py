"""Queue SQLite writers on the event loop instead of in SQLite's busy handler.

SQLite has one writer at a time; the request transaction takes the write lock at its first
statement (BEGIN IMMEDIATE) and keeps it until the commit after the route returns. Under
concurrent lookups the other transactions wait in SQLite's busy handler, which polls with
sleeps of up to 100 ms, so the lock sits idle while waiters sleep and latency explodes.
Taking turns on an asyncio lock first (FIFO, woken at once) keeps the write lock busy and
uncontended. Entered before the session, released after its commit. No-op on PostgreSQL.
The turn is per process: several workers still meet in SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends

from app.core.settings import get_settings

_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def sqlite_write_turn() -> AsyncIterator[None]:
    if not get_settings().is_sqlite:
        yield
        return
    loop = asyncio.get_running_loop()
    turn = _turns.get(loop)
    if turn is None:
        turn = _turns[loop] = asyncio.Lock()
    async with turn:
        yield


SqliteWriteTurn = Annotated[None, Depends(sqlite_write_turn, scope="function")]
