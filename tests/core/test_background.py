"""`repeating`: a job run again and again while a block runs, and never after it."""

from __future__ import annotations

import asyncio

from app.core.background import repeating


def test_the_job_repeats_while_the_block_runs_and_stops_with_it() -> None:
    calls = 0

    async def job() -> None:
        nonlocal calls
        calls += 1

    async def scenario() -> tuple[int, int]:
        async with repeating(job, 0.01):
            while calls < 3:
                await asyncio.sleep(0.005)
        stopped_at = calls
        await asyncio.sleep(0.05)
        return stopped_at, calls

    stopped_at, later = asyncio.run(scenario())
    assert stopped_at >= 3
    assert later == stopped_at


def test_a_job_in_progress_is_cancelled_when_the_block_ends() -> None:
    events: list[str] = []

    async def slow_job() -> None:
        events.append("started")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise

    async def scenario() -> None:
        async with repeating(slow_job, 0):
            while not events:
                await asyncio.sleep(0.001)

    asyncio.run(asyncio.wait_for(scenario(), timeout=5))
    assert events == ["started", "cancelled"]
