"""Work the server repeats in the background while it runs (checkpoints, the lookup
journal): a task started with the app's lifespan and stopped with it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


@asynccontextmanager
async def repeating(job: Callable[[], Awaitable[object]], interval: float) -> AsyncIterator[None]:
    """While the block runs, await `job()` every `interval` seconds; when it ends, stop
    (a run in progress is cancelled at its next await)."""

    async def forever() -> None:
        while True:
            await asyncio.sleep(interval)
            await job()

    task = asyncio.create_task(forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
