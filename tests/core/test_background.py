"""`repeating`: a job run again and again while a block runs, and never after it; a run
that fails is logged and retried later, with a growing wait."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.core.background import _delay, repeating


def test_the_job_repeats_while_the_block_runs_and_stops_with_it() -> None:
    calls = 0

    async def job() -> None:
        nonlocal calls
        calls += 1

    async def scenario() -> tuple[int, int]:
        async with repeating(job, 0.01, name="test"):
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
        async with repeating(slow_job, 0, name="test"):
            while not events:
                await asyncio.sleep(0.001)

    asyncio.run(asyncio.wait_for(scenario(), timeout=5))
    assert events == ["started", "cancelled"]


def test_a_failing_job_is_logged_and_retried_until_it_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[str] = []

    async def flaky_job() -> None:
        if len(outcomes) < 3:
            outcomes.append("failed")
            raise RuntimeError("database away")
        outcomes.append("ran")

    async def scenario() -> None:
        async with repeating(flaky_job, 0.001, name="flaky", max_backoff=0.01):
            while outcomes.count("ran") < 2:
                await asyncio.sleep(0.001)

    with caplog.at_level(logging.ERROR, logger="bluecard.background"):
        asyncio.run(asyncio.wait_for(scenario(), timeout=5))
    assert outcomes[:4] == ["failed", "failed", "failed", "ran"]
    failures = [r for r in caplog.records if r.getMessage() == "background job failed"]
    assert [(r.job, r.failures) for r in failures] == [("flaky", 1), ("flaky", 2), ("flaky", 3)]  # type: ignore[attr-defined]
    assert all(r.exc_info is not None for r in failures)


def test_failures_in_a_row_wait_longer_each_time_up_to_the_cap() -> None:
    # The waits the loop sleeps, not timed (a loaded machine fires timers late).
    waits = [_delay(0.01, failures, 0.08) for failures in range(6)]
    assert waits == pytest.approx([0.01, 0.02, 0.04, 0.08, 0.08, 0.08])
    assert _delay(5.0, 10_000, 60.0) == 60.0  # a long outage: capped, no overflow
