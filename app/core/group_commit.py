"""Group commit: many small concurrent transactions run as one.

A priority lookup is a few statements and a commit. Run one transaction per request and a
worker pays, every time, for a thread hop, a BEGIN and a COMMIT (on PostgreSQL a WAL flush),
and on SQLite for a turn at the single write lock, and the threads contend for the GIL. Under
load that overhead is most of the cost. Here the works that arrive while a group is running
wait, and the next group runs all of them in one transaction on one worker-thread hop; each
caller gets its own result or error once the group has committed, so nothing is answered
before it is durable. When calls come one at a time a group is one work, as before.

A group's items are handed to one handler, which answers each and does its writes itself,
explicitly (the priority lookups of a group are looked up with one select and recorded with
one insert; the credentials of a group are each resolved once). An item that fails must fail
before it writes (as a lookup does: credentials, scopes and input are checked before its
record is inserted); its error goes to its caller only. A database error fails the whole
group: everything is rolled back and every caller gets it.

Kept because it was measured (README, "The hot path: group commit": lookup throughput and
p99 before and after). It lives in `core/` because two domains use it, lookups and the
credential check in `access/`, and `access/` may not import `lookup/`; it knows neither:
the handlers are theirs.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from app.core.transactions import Transactions, sqlite_write_turn

Outcome = tuple[bool, Any]  # (True, result) or (False, the exception for that caller)
Handler = Callable[[Connection, list[Any]], list[Outcome]]

# Enough to amortise the fixed costs; small enough that no caller waits long for others.
MAX_GROUP = 64


class _Line:
    """The items waiting for one handler and source of transactions on one event loop,
    and whether a drain is taking them off in groups."""

    def __init__(self, handler: Handler, transactions: Transactions, read_only: bool) -> None:
        self.handler = handler
        self.transactions = transactions
        self.read_only = read_only
        self.waiting: list[tuple[Any, asyncio.Future[Any]]] = []
        self.draining: asyncio.Task[None] | None = None


_lines: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Handler, Transactions, bool], _Line]
] = weakref.WeakKeyDictionary()


async def in_group(
    item: Any, handler: Handler, transactions: Transactions, *, read_only: bool = False
) -> Any:
    """Hand `item` to `handler` with the items that arrive with it, in one transaction;
    return its outcome once that transaction has committed."""
    loop = asyncio.get_running_loop()
    lines = _lines.setdefault(loop, {})
    line = lines.get((handler, transactions, read_only))
    if line is None:
        line = lines[handler, transactions, read_only] = _Line(handler, transactions, read_only)
    future: asyncio.Future[Any] = loop.create_future()
    line.waiting.append((item, future))
    if line.draining is None:
        # A task of its own, not the first caller: a caller that disconnects must not
        # take the others' transaction down with it.
        line.draining = loop.create_task(_drain(line))
    return await future


async def _drain(line: _Line) -> None:
    try:
        while line.waiting:
            batch = line.waiting[:MAX_GROUP]
            del line.waiting[:MAX_GROUP]
            items = [item for item, _ in batch]
            try:
                async with _turn(line.read_only):
                    outcomes = await run_in_threadpool(_run, line, items)
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
        line.draining = None


def _turn(read_only: bool) -> AbstractAsyncContextManager[None]:
    return nullcontext() if read_only else sqlite_write_turn()


def _run(line: _Line, items: list[Any]) -> list[Outcome]:
    with line.transactions(read_only=line.read_only) as connection:
        return line.handler(connection, items)


def _settle(
    future: asyncio.Future[Any], *, value: Any = None, error: BaseException | None = None
) -> None:
    if future.done():  # its caller was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
