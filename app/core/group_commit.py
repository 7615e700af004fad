"""Group commit: many small concurrent transactions run as one.

A priority lookup is a few statements and a commit. Run one transaction per request and a
worker pays, every time, for a thread hop, a BEGIN and a COMMIT (on PostgreSQL a WAL flush),
and on SQLite for a turn at the single write lock, and the threads contend for the GIL. Under
load that overhead is most of the cost. Here the works that arrive while a group is running
wait, and the next group runs all of them in one transaction on one worker-thread hop; each
caller gets its own result or error once the group has committed, so nothing is answered
before it is durable. When calls come one at a time a group is one work, as before.

A work must fail, if it fails, before it writes (as a lookup does: credentials, scopes and
input are checked before its record is inserted); its error goes to its caller only. A
database error fails the whole group: everything is rolled back and every caller gets it.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from app.core.transactions import Transactions, memoised, sqlite_write_turn

T = TypeVar("T")
Work = Callable[[Connection], Any]

# Enough to amortise the fixed costs; small enough that no caller waits long for others.
MAX_GROUP = 64


class _Group:
    """The works waiting for one source of transactions on one event loop, and whether a
    drain is running."""

    def __init__(self, transactions: Transactions, read_only: bool) -> None:
        self.transactions = transactions
        self.read_only = read_only
        self.waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self.draining: asyncio.Task[None] | None = None


_groups: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Transactions, bool], _Group]
] = weakref.WeakKeyDictionary()


async def in_group_transaction(
    work: Callable[[Connection], T], transactions: Transactions, *, read_only: bool = False
) -> T:
    """Run `work(connection)` in a transaction shared with the works that arrive with it;
    return its result (or raise its error) once that transaction has committed.
    `read_only` groups (reads only; on SQLite a snapshot) do not queue for the write lock."""
    loop = asyncio.get_running_loop()
    groups = _groups.setdefault(loop, {})
    group = groups.get((transactions, read_only))
    if group is None:
        group = groups[transactions, read_only] = _Group(transactions, read_only)
    future: asyncio.Future[T] = loop.create_future()
    group.waiting.append((work, future))
    if group.draining is None:
        # A task of its own, not the first caller: a caller that disconnects must not
        # take the others' transaction down with it.
        group.draining = loop.create_task(_drain(group))
    return await future


async def _drain(group: _Group) -> None:
    try:
        while group.waiting:
            batch = group.waiting[:MAX_GROUP]
            del group.waiting[:MAX_GROUP]
            works = [work for work, _ in batch]
            try:
                async with _turn(group.read_only):
                    outcomes = await run_in_threadpool(
                        _run, works, group.transactions, group.read_only
                    )
            except BaseException as exc:
                for _, future in batch:
                    _settle(future, error=exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                if ok:
                    _settle(future, value=value)
                else:
                    _settle(future, error=value)
    finally:
        group.draining = None


def _turn(read_only: bool) -> AbstractAsyncContextManager[None]:
    return nullcontext() if read_only else sqlite_write_turn()


def _run(works: list[Work], transactions: Transactions, read_only: bool) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    with memoised(transactions, read_only=read_only) as connection:
        for work in works:
            try:
                outcomes.append((True, work(connection)))
            except SQLAlchemyError:
                raise
            except Exception as exc:
                outcomes.append((False, exc))
    return outcomes


def _settle(
    future: asyncio.Future[Any], *, value: Any = None, error: BaseException | None = None
) -> None:
    if future.done():  # its caller was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
