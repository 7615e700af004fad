"""Work the server repeats in the background while it runs (checkpoints, the lookup
journal): a task started with the app's lifespan and stopped with it, and supervised: a
run that fails is logged and the job is tried again later, never dropped until shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

log = logging.getLogger("bluecard.background")

MAX_BACKOFF_SECONDS = 60.0


@asynccontextmanager
async def repeating(
    job: Callable[[], Awaitable[object]],
    interval: float,
    *,
    name: str,
    max_backoff: float = MAX_BACKOFF_SECONDS,
) -> AsyncIterator[None]:
    """While the block runs, await `job()` every `interval` seconds; when it ends, stop
    (a run in progress is cancelled at its next await). After a failed run the next waits
    `interval` doubled per failure in a row, up to `max_backoff`: a database that is away
    is not hammered, and the loop goes on once it is back."""

    async def supervised() -> None:
        failures = 0
        while True:
            await asyncio.sleep(_delay(interval, failures, max_backoff))
            try:
                await job()
            except Exception:
                failures += 1
                retry_in = _delay(interval, failures, max_backoff)
                log.exception(
                    "background job failed",
                    extra={"job": name, "failures": failures, "retry_in": retry_in},
                )
            else:
                failures = 0

    task = asyncio.create_task(supervised())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _delay(interval: float, failures: int, max_backoff: float) -> float:
    if not failures:
        return interval
    # The exponent is bounded so that a long outage cannot overflow the float.
    return min(max(interval, 0.001) * 2.0 ** min(failures, 32), max(max_backoff, interval))
