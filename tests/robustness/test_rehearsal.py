"""A rehearsal of the production shape (contract v2): three app processes on three ports,
one PostgreSQL, Redis when it is up, and one key-encryption key, under a mixed load of
lookups, batches, an upload and an approval. Meanwhile one host rotates the data key, then
the hosts are replaced one at a time (stopped, and started again: the rolling upgrade of
a release; here the same code stands for the new one).

What must hold: every lookup answered is recorded once, no answer is wrong, and nothing
answers 5xx but a 503 from a host while it stops (a refused connection is a host that
is down: the load balancer's to route around).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.core.db import session_scope
from app.lookup.models import LookupJournal, LookupRecord
from tests.databases import is_postgres
from tests.filing.writers import people
from tests.robustness import api
from tests.robustness.cast import Cast, make_cast
from tests.robustness.servers import ROOT, Server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not is_postgres(), reason="several hosts share one PostgreSQL"),
]

HOSTS = 3
SINGLE_THREADS = 3


@dataclass
class Tally:
    """What the load saw, filled by its threads."""

    lookups: list[str] = field(default_factory=list)  # lookup ids answered
    batches: dict[str, int] = field(default_factory=dict)  # purpose -> entries answered
    statuses: Counter[int] = field(default_factory=Counter)
    refused: int = 0  # connections refused: a host that is down
    wrong: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def test_three_hosts_through_a_key_rotation_and_a_rolling_upgrade(
    fresh_database_url: str, tmp_path: Path
) -> None:
    key_file = Path(os.environ["BLUECARD_KEY_FILE"])  # the one key-encryption key
    hosts = [_host(fresh_database_url, key_file, tmp_path, n) for n in range(HOSTS)]
    for host in hosts:
        host.launch()  # at once: migrations and the first keys under their locks
    for host in hosts:
        host.wait_ready()
    try:
        cast = make_cast()
        holders = people(seed=61, count=30, city_code="340100")
        strangers = people(seed=62, count=10, city_code="340100")
        with hosts[0].client() as client:
            api.file_records(client, cast.city, cast.province, holders, tmp_path / "a.json")
        expected = {p["id_number"]: True for p in holders} | {
            p["id_number"]: False for p in strangers
        }
        tally = Tally()
        started = time.monotonic()
        with _load(hosts, cast, expected, tally):
            time.sleep(2)
            rotated = _cli(["keys", "rotate"], fresh_database_url, key_file)
            assert rotated.returncode == 0, rotated.stderr
            newcomers = people(seed=63, count=20, city_code="340100")
            with hosts[1].client() as client:
                api.file_records(client, cast.city, cast.province, newcomers, tmp_path / "b.json")
            for host in hosts:  # one at a time, the others serving
                host.stop()
                host.start()
                time.sleep(1)
        seconds = time.monotonic() - started

        assert not tally.wrong, tally.wrong[:5]
        assert set(tally.statuses) <= {200, 503}, tally.statuses
        assert tally.statuses[200] > 100, tally.statuses
        _assert_recorded_once(tally)
        for host in hosts:
            with host.client() as client:
                assert client.get("/readyz").status_code == 200
        print(
            f"\nrehearsal: {HOSTS} hosts, {seconds:.1f} s; answered {tally.statuses[200]} "
            f"({len(tally.lookups)} single lookups, {len(tally.batches)} batches of "
            f"{sum(tally.batches.values())} entries); 503s {tally.statuses[503]}; "
            f"connections refused by a stopped host {tally.refused}; wrong answers 0"
        )
    finally:
        for host in hosts:
            host.stop()


def _host(url: str, key_file: Path, tmp_path: Path, n: int) -> Server:
    host = Server(url, key_file, tmp_path / f"host{n}.log")
    host.env["BLUECARD_DB_APPLICATION_NAME"] = f"bluecard-host{n}"
    host.env["BLUECARD_DB_POOL_SIZE"] = "4"
    return host


def _cli(args: list[str], url: str, key_file: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BLUECARD_DATABASE_URL": url, "BLUECARD_KEY_FILE": str(key_file)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@contextmanager
def _load(
    hosts: list[Server], cast: Cast, expected: dict[str, bool], tally: Tally
) -> Iterator[None]:
    """Single lookups on `SINGLE_THREADS` threads and batches on one, each request to the
    next host in turn, for the block's duration."""
    numbers = list(expected)
    stop = threading.Event()

    def single(client: httpx.Client, n: int) -> None:
        number = numbers[n % len(numbers)]
        answer = api.lookup(client, cast.partner, number, "rehearsal")
        _count(tally, answer.status_code)
        if answer.status_code == 200:
            body = answer.json()
            with tally.lock:
                tally.lookups.append(body["lookup_id"])
                if body["priority"] is not expected[number]:
                    tally.wrong.append(f"{body['priority']} for {number[:6]}…")

    def batch(client: httpx.Client, _n: int) -> None:
        purpose = f"rehearsal {uuid.uuid4().hex}"
        body = {"service": "housing", "purpose": purpose, "id_numbers": numbers}
        answer = client.post(api.path("priority_lookups"), json=body, headers=cast.partner)
        _count(tally, answer.status_code)
        if answer.status_code == 200:
            results = answer.json()["results"]
            with tally.lock:
                tally.batches[purpose] = len(results)
                tally.wrong.extend(
                    f"batch entry {i}"
                    for i, entry in enumerate(results)
                    if entry["priority"] is not expected[numbers[i]]
                )

    def loop(ask: Callable[[httpx.Client, int], None], offset: int) -> None:
        clients = [host.client(timeout=30) for host in hosts]
        n = offset
        try:
            while not stop.is_set():
                n += 1
                try:
                    ask(clients[n % len(clients)], n)
                except httpx.TransportError:
                    with tally.lock:
                        tally.refused += 1
                    time.sleep(0.05)
        finally:
            for client in clients:
                client.close()

    jobs = [(single, n) for n in range(SINGLE_THREADS)] + [(batch, 0)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(loop, ask, offset) for ask, offset in jobs]
        try:
            yield
        finally:
            stop.set()
    for future in futures:
        future.result()


def _count(tally: Tally, status: int) -> None:
    with tally.lock:
        tally.statuses[status] += 1


def _assert_recorded_once(tally: Tally) -> None:
    deadline = time.monotonic() + 60
    while True:  # batches are answered once journalled; a server expands them after
        with session_scope() as session:
            pending = session.scalar(select(func.count()).select_from(LookupJournal))
        if not pending:
            break
        assert time.monotonic() < deadline, "the journal was never expanded"
        time.sleep(0.2)
    with session_scope() as session:
        singles = session.scalar(
            select(func.count()).where(LookupRecord.id.in_([uuid.UUID(i) for i in tally.lookups]))
        )
        rows = session.execute(
            select(LookupRecord.purpose, func.count())
            .where(LookupRecord.purpose.in_(list(tally.batches)))
            .group_by(LookupRecord.purpose)
        )
        batches = {purpose: count for purpose, count in rows}
    assert singles == len(tally.lookups) == len(set(tally.lookups))
    assert batches == tally.batches
