"""What the service forgets on schedule: a closed submission's uploaded rows once their
retention time has passed (`filing.retention`), and login failure counts that no longer
lock anything (`access.login.forget_spent_throttles`).

The server runs it in the background every `INTERVAL_SECONDS`; `bluecard retention run`
does the same once, for a host that runs its servers without it or wants it now. Rows go a
chunk per transaction, each taking its turn with the other writers.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.access.login import forget_spent_throttles
from app.core.background import repeating
from app.core.db import session_scope
from app.core.settings import get_settings
from app.core.transactions import sqlite_write_turn
from app.core.types import utcnow
from app.filing import retention

log = logging.getLogger("bluecard.retention")

INTERVAL_SECONDS = 3600.0
T = TypeVar("T")


@dataclass
class Forgotten:
    submissions: int = 0  # closed submissions whose rows were deleted
    submission_rows: int = 0
    login_throttles: int = 0


async def apply_retention(now: datetime | None = None) -> Forgotten:
    """Delete what is past its retention time as of `now`, a transaction at a time."""
    at, forgotten = now or utcnow(), Forgotten()
    days = get_settings().upload_row_retention_days
    expired = await _transact(lambda s: retention.expired_submissions(s, now=at, days=days))
    for submission_id in expired:
        forgotten.submission_rows += await _purge(submission_id)
        forgotten.submissions += 1
    forgotten.login_throttles = await _transact(lambda s: forget_spent_throttles(s, now=at))
    return forgotten


async def _purge(submission_id: uuid.UUID) -> int:
    total = 0
    while deleted := await _transact(lambda s: retention.purge_rows(s, submission_id)):
        total += deleted
    await _transact(lambda s: retention.record_purge(s, submission_id, total))
    return total


async def _transact(work: Callable[[Session], T]) -> T:
    def run() -> T:
        with session_scope() as session:
            return work(session)

    async with sqlite_write_turn():
        return await run_in_threadpool(run)


@asynccontextmanager
async def retention_in_background() -> AsyncIterator[None]:
    """While the block runs, apply the retention rules every `INTERVAL_SECONDS`."""

    async def job() -> None:
        forgotten = await apply_retention()
        if forgotten.submissions or forgotten.login_throttles:
            log.info("retention applied", extra=vars(forgotten))

    async with repeating(job, INTERVAL_SECONDS, name="retention"):
        yield


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands = sub.add_parser("retention", help="delete what is past its retention time")
    run = commands.add_subparsers(required=True).add_parser(
        "run", help="purge expired uploaded rows and spent login failure counts, now"
    )
    run.set_defaults(func=_run)


def _run(_args: argparse.Namespace) -> int:
    forgotten = asyncio.run(apply_retention())
    print(
        f"uploaded rows deleted: {forgotten.submission_rows} "
        f"(of {forgotten.submissions} closed submissions); "
        f"spent login failure counts deleted: {forgotten.login_throttles}"
    )
    return 0
