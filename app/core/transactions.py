"""Transactions for the hottest routes (priority lookups): Core work on a bare connection,
begun, run and committed on one worker-thread hop.

A route with `SessionDep` pays a thread hop for the session, one per sync dependency and
one for the commit, plus the ORM session's bookkeeping; at hundreds of calls a second that
is most of the cost. Such a route declares `TransactionsDep` instead and hands its work to
`in_transaction` (or `group_commit.in_group`). The dependency is where the
transactions come from, so tests can bind them to their own, as they do the session.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from app.core.db import connection_scope
from app.core.openapi_doc import answers
from app.core.settings import get_settings

T = TypeVar("T")


class Transactions(Protocol):
    """Opens a transaction: commits when the block ends, rolls back if it raises."""

    def __call__(self, *, read_only: bool = False) -> AbstractContextManager[Connection]: ...


@answers(503)
async def get_transactions() -> Transactions:
    return connection_scope


TransactionsDep = Annotated[Transactions, Depends(get_transactions)]


async def in_transaction(work: Callable[[Connection], T], transactions: Transactions) -> T:
    """Run `work(connection)` in one committed transaction on a worker thread; the commit
    happens before the caller gets the result."""

    def transact() -> T:
        with transactions() as connection:
            return work(connection)

    async with sqlite_write_turn():
        return await run_in_threadpool(transact)


_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def sqlite_write_turn() -> AsyncIterator[None]:
    """Queue this process's SQLite writers on the event loop, not in SQLite's busy handler.

    SQLite has one writer at a time. A transaction waiting for the write lock sits in the
    busy handler, which polls with sleeps of up to 100 ms, so under concurrent writes the
    lock idles while waiters sleep and latency explodes. Taking turns on an asyncio lock
    first (FIFO, woken at once) keeps the lock busy and uncontended. Per process: several
    workers still meet in the busy handler. No-op on PostgreSQL.
    """
    if not get_settings().is_sqlite:
        yield
        return
    loop = asyncio.get_running_loop()
    turn = _turns.get(loop)
    if turn is None:
        turn = _turns[loop] = asyncio.Lock()
    async with turn:
        yield
