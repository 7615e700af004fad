"""The real server, SIGKILLed at random moments during a large approval and during a burst
of lookups, then started again: nothing half-done survives, nothing answered is lost.

Runs on the database the suite runs on (a SQLite file, or a PostgreSQL database).
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.core import audit
from app.core.backup import backup_database, restore_database
from app.core.db import session_scope
from app.filing.models import Submission
from app.lookup.models import LookupJournal, LookupRecord
from tests.databases import throwaway_database
from tests.filing.writers import people
from tests.robustness import api
from tests.robustness.cast import Cast, make_cast
from tests.robustness.servers import Server
from tests.robustness.state import pointed_at, registry_checksum, settle

pytestmark = pytest.mark.slow

ROWS = int(os.environ.get("BLUECARD_CRASH_ROWS", "3000"))
KILLS = 3
LOOKUP_THREADS = 4


@dataclass(frozen=True)
class Registry:
    checksum: str
    status: str


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    key_file = Path(os.environ["BLUECARD_KEY_FILE"])
    server = Server(fresh_database_url, key_file, tmp_path / "server.log")
    server.start()
    yield server
    server.stop()


def test_an_approval_killed_at_any_moment_leaves_the_registry_before_or_after(
    fresh_database_url: str, server: Server, tmp_path: Path
) -> None:
    cast = make_cast()
    holders = people(seed=41, count=ROWS, city_code="340100")
    with server.client() as client:
        submission_id = api.upload(client, cast.city, holders, tmp_path / "big.json")["id"]
        api.submit(client, cast.city, submission_id)
    before = _registry(submission_id)
    assert before.status == "pending_review"
    after, approval_seconds = _approved_elsewhere(fresh_database_url, cast, submission_id, tmp_path)
    assert after.status == "applied" and after.checksum != before.checksum

    rng = random.Random()
    answered: list[str] = []
    outcomes: list[tuple[float, int | None, str]] = []  # (kill after s, approval answer, state)
    for kill in range(KILLS):
        # The first kill lands early inside the approval (the warm server approves faster than
        # the cold in-process run that timed it); later ones also near and after its commit,
        # where "after" must hold even though the caller never got the answer.
        delay = rng.uniform(0.02, 0.25) if kill == 0 else rng.uniform(0.3, 1.5)
        delay *= approval_seconds
        with (
            ThreadPoolExecutor(max_workers=1) as approver,
            _lookups(server, cast, [h["id_number"] for h in holders[:50]], answered),
        ):
            approval = approver.submit(_approve_quietly, server, cast, submission_id)
            time.sleep(delay)
            server.kill()
        settle(fresh_database_url)
        now = _registry(submission_id)
        outcomes.append((delay, approval.result(), now.status))
        assert now in (before, after), f"a killed approval left the registry half-applied: {now}"
        server.start()
        if now == after:
            break
    else:
        assert _approve_quietly(server, cast, submission_id) == 200
        assert _registry(submission_id) == after
    assert any(answer is None for _, answer, _ in outcomes), f"no kill hit an approval: {outcomes}"
    _assert_chain_holds_and_lookups_recorded(answered)


def test_lookups_answered_before_a_kill_are_all_recorded(
    fresh_database_url: str, server: Server, tmp_path: Path
) -> None:
    cast = make_cast()
    holders = people(seed=42, count=20, city_code="340100")
    with server.client() as client:
        api.file_records(client, cast.city, cast.province, holders, tmp_path / "few.json")
    numbers = [h["id_number"] for h in holders]
    rng = random.Random()
    answered: list[str] = []
    for _ in range(KILLS):
        with _lookups(server, cast, numbers, answered):
            _wait_for_answers(answered, len(answered) + rng.randint(20, 200))
            server.kill()
        settle(fresh_database_url)
        server.start()
    assert len(answered) >= KILLS * 20
    _assert_chain_holds_and_lookups_recorded(answered)


def test_batches_answered_before_a_kill_are_all_recorded_once(
    fresh_database_url: str, server: Server, tmp_path: Path
) -> None:
    """A batch is answered once its journal row is committed: a server killed before
    expanding it leaves it to the next one, which expands every entry exactly once."""
    cast = make_cast()
    holders = people(seed=43, count=20, city_code="340100")
    with server.client() as client:
        api.file_records(client, cast.city, cast.province, holders, tmp_path / "few.json")
    numbers = [h["id_number"] for h in holders] + ["bad"]
    rng = random.Random()
    answered: dict[str, int] = {}
    for _ in range(KILLS):
        with _batches(server, cast, numbers, answered):
            target = len(answered) + rng.randint(3, 30)
            deadline = time.monotonic() + 60
            while len(answered) < target:
                assert time.monotonic() < deadline, "batches stopped being answered"
                time.sleep(0.01)
            server.kill()
        settle(fresh_database_url)
        server.start()
    deadline = time.monotonic() + 60
    while _journal_rows():
        assert time.monotonic() < deadline, "the restarted server left the journal as it was"
        time.sleep(0.1)
    with session_scope() as session:
        rows = session.execute(
            select(LookupRecord.purpose, func.count())
            .where(LookupRecord.batch_id.is_not(None))
            .group_by(LookupRecord.purpose)
        )
        recorded = {purpose: count for purpose, count in rows}
    assert {purpose: recorded.get(purpose) for purpose in answered} == answered


def _journal_rows() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(LookupJournal)) or 0


def _registry(submission_id: str) -> Registry:
    with session_scope() as session:
        status = session.scalar(
            select(Submission.status).where(Submission.id == uuid.UUID(submission_id))
        )
        return Registry(registry_checksum(session), str(status))


def _approved_elsewhere(
    url: str, cast: Cast, submission_id: str, tmp_path: Path
) -> tuple[Registry, float]:
    """The registry as an uninterrupted approval leaves it: on a copy of the database,
    approved in process. Also how long that approval took, to aim the kills at."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    copy = tmp_path / "pending.backup"
    backup_database(url, copy)
    with throwaway_database(tmp_path / "reference") as reference, pointed_at(reference):
        restore_database(copy, reference)
        with TestClient(create_app()) as client:
            started = time.monotonic()
            approved = api.approve(client, cast.province, submission_id)
            seconds = time.monotonic() - started
        assert approved.status_code == 200, approved.text
        return _registry(submission_id), seconds


def _approve_quietly(server: Server, cast: Cast, submission_id: str) -> int | None:
    """Approve; None when the server died before answering."""
    try:
        with server.client() as client:
            return api.approve(client, cast.province, submission_id).status_code
    except httpx.HTTPError:
        return None


@contextmanager
def _lookups(server: Server, cast: Cast, numbers: list[str], answered: list[str]) -> Iterator[None]:
    """Threads asking for the block's duration, and until the server dies; the lookup id of
    every answer goes in `answered`. Any answer but 200 fails the test."""

    def ask(client: httpx.Client, worker: int, n: int) -> None:
        answer = api.lookup(client, cast.partner, numbers[n % len(numbers)], f"{worker}")
        assert answer.status_code == 200, answer.text
        answered.append(answer.json()["lookup_id"])

    with _asking(server, ask):
        yield


@contextmanager
def _batches(
    server: Server, cast: Cast, numbers: list[str], answered: dict[str, int]
) -> Iterator[None]:
    """`_lookups` in batches: each batch's purpose is its own, and `answered` maps the
    purpose of every batch answered to its number of entries."""

    def ask(client: httpx.Client, worker: int, n: int) -> None:
        purpose = f"batch {uuid.uuid4().hex}"
        body = {"service": "housing", "purpose": purpose, "id_numbers": numbers}
        answer = client.post(api.path("priority_lookups"), json=body, headers=cast.partner)
        assert answer.status_code == 200, answer.text
        answered[purpose] = len(numbers)

    with _asking(server, ask):
        yield


@contextmanager
def _asking(server: Server, ask: Callable[[httpx.Client, int, int], None]) -> Iterator[None]:
    """`ask(client, worker, n)` in a loop on each of `LOOKUP_THREADS` threads, for the
    block's duration and until the server dies."""
    stop = threading.Event()

    def loop(worker: int) -> None:
        with server.client(timeout=30) as client:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    ask(client, worker, n)
                except httpx.HTTPError:
                    return  # the server is gone

    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS) as pool:
        futures = [pool.submit(loop, worker) for worker in range(LOOKUP_THREADS)]
        try:
            yield
        finally:
            stop.set()
    for future in futures:
        future.result()


def _wait_for_answers(answered: list[str], count: int) -> None:
    deadline = time.monotonic() + 60
    while len(answered) < count:
        assert time.monotonic() < deadline, "lookups stopped being answered"
        time.sleep(0.01)


def _assert_chain_holds_and_lookups_recorded(answered: list[str]) -> None:
    with session_scope() as session:
        assert audit.verify(session).ok
        recorded = {str(i) for i in session.scalars(select(LookupRecord.id))}
    missing = set(answered) - recorded
    assert not missing, f"{len(missing)} of {len(answered)} answered lookups are not recorded"
