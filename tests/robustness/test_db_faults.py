"""The database going away: every request answers 503 problem+json `database_unavailable`
(never a 500, never a hang, never an answer whose record was lost), and the service
recovers by itself when the database returns."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.core.db import get_engine, make_engine, session_scope
from app.demo.fakes import fake_id_number
from app.lookup.models import LookupRecord
from tests.databases import is_postgres
from tests.robustness import api
from tests.robustness.cast import make_cast
from tests.robustness.servers import PostgresCluster, postgres_binaries, serving
from tests.robustness.state import pointed_at

UNAVAILABLE = "database_unavailable"
needs_postgres = pytest.mark.skipif(
    not is_postgres(), reason="PostgreSQL faults: runs in the suite's PostgreSQL run"
)


def valid_id_number() -> str:
    """A well-formed number of someone the registry does not know."""
    return fake_id_number(random.Random(), city_code="340100")


def _assert_unavailable(answer: httpx.Response) -> None:
    assert _is_unavailable(answer), (answer.status_code, answer.headers, answer.text)


def _is_unavailable(answer: httpx.Response) -> bool:
    return (
        answer.status_code == 503
        and answer.headers.get("content-type", "").startswith("application/problem+json")
        and answer.json().get("code") == UNAVAILABLE
        and bool(answer.headers.get("retry-after"))
    )


@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_a_database_that_cannot_be_reached_answers_503_problem(where: str, tmp_path: Path) -> None:
    from app.main import create_app

    unreachable = {
        "postgresql": "postgresql://postgres@127.0.0.1:9/bluecard",  # nothing listens on 9
        "sqlite": f"sqlite:///{tmp_path}/missing-folder/bluecard.db",
    }[where]
    some_key = api.bearer("bck_" + "x" * 40)
    with pointed_at(unreachable), TestClient(create_app()) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        _assert_unavailable(client.get(api.path("roster_list")))
        _assert_unavailable(client.get(api.path("talent_list"), headers=some_key))
        _assert_unavailable(api.lookup(client, some_key, valid_id_number(), "数据库故障"))
        login = {"username": "anyone", "password": "Correct-Horse-42"}
        _assert_unavailable(client.post(api.path("token_issue"), data=login))


@needs_postgres
def test_a_connection_lost_at_commit_answers_503_and_keeps_no_record(
    fresh_database_url: str,
) -> None:
    """The lookup's record is written, then the connection dies as it commits: the caller
    must get 503, not an answer whose record is gone."""
    from app.main import create_app

    cast = make_cast()
    engine = get_engine()
    armed = threading.Event()

    def kill_backend_before_commit(connection: Connection) -> None:
        if armed.is_set():
            armed.clear()
            _terminate(fresh_database_url, _backend_pid(connection))

    event.listen(engine, "commit", kill_backend_before_commit)
    try:
        with TestClient(create_app()) as client:
            armed.set()
            _assert_unavailable(api.lookup(client, cast.partner, valid_id_number(), "提交时断开"))
            assert not armed.is_set()
            with session_scope() as session:
                assert session.scalar(select(func.count()).select_from(LookupRecord)) == 0
            after = api.lookup(client, cast.partner, valid_id_number(), "连接恢复")
            assert after.status_code == 200, after.text
    finally:
        event.remove(engine, "commit", kill_backend_before_commit)


@pytest.mark.slow
@needs_postgres
def test_every_pooled_connection_busy_answers_503_not_500(fresh_database_url: str) -> None:
    """Overload, not breakage: when no pooled connection frees up within the pool's timeout
    (10 s on PostgreSQL), the caller is told to retry later."""
    from app.main import create_app

    engine = get_engine()
    capacity = engine.pool.size() + engine.pool._max_overflow  # type: ignore[attr-defined]
    held = [engine.connect() for _ in range(capacity)]
    try:
        with TestClient(create_app()) as client:
            answer = client.get(api.path("roster_list"))
            # Freed before the app stops: its background jobs, waiting for a connection
            # too, would otherwise hold up the shutdown for their whole pool timeout.
            _release(held)
        _assert_unavailable(answer)
    finally:
        _release(held)


def _release(connections: list[Connection]) -> None:
    for connection in connections:
        connection.close()


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    binaries = postgres_binaries()
    if binaries is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl) and root for runuser")
    cluster = PostgresCluster(binaries)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.mark.slow
@needs_postgres
def test_postgres_stopped_mid_traffic_gives_503_then_recovers_by_itself(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE bluecard"))
    admin.dispose()
    url = cluster.url.rsplit("/", 1)[0] + "/bluecard"
    key_file = tmp_path / "bluecard.keys"
    with pointed_at(url, key_file=key_file):
        from app.ops.migrate import upgrade

        upgrade(get_engine())
        from app.core.keys import get_keyring

        get_keyring()  # stored before any test transaction (SQLite's write lock)
        cast = make_cast()
        get_engine().dispose()  # the cluster stops: hold no connection of ours into it
    statuses: Counter[tuple[str, int]] = Counter()
    with serving(url, key_file, tmp_path / "server.log") as server, server.client(30) as client:
        traffic = _Traffic(client, cast.partner, cast.province, statuses)
        with traffic.running():
            traffic.wait_for("up", 20)
            cluster.stop()
            traffic.wait_for("down", 20)
            for answer in traffic.sample():
                _assert_unavailable(answer)
            assert client.get("/readyz").status_code == 503
            assert client.get("/healthz").status_code == 200
            cluster.start()
            traffic.wait_for("up", 20)
        assert client.get("/readyz").status_code == 200
    assert set(statuses) <= {(kind, code) for kind in ("lookup", "talents") for code in (200, 503)}
    assert all(statuses[(kind, 503)] for kind in ("lookup", "talents")), statuses


class _Traffic:
    """Lookups and list reads from two threads, each answer's status counted. `last` holds
    each thread's latest status, to wait for the service to be down, or up again."""

    kinds = ("lookup", "talents")

    def __init__(
        self,
        client: httpx.Client,
        partner: dict[str, str],
        province: dict[str, str],
        statuses: Counter[tuple[str, int]],
    ) -> None:
        self.client, self.partner, self.province = client, partner, province
        self.statuses = statuses
        self.last: dict[str, int] = {}
        self.stop = threading.Event()

    @contextmanager
    def running(self) -> Iterator[None]:
        threads = [threading.Thread(target=self._ask, args=(kind,)) for kind in self.kinds]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()

    def wait_for(self, state: str, seconds: float) -> None:
        wanted = 200 if state == "up" else 503
        self.last.clear()
        deadline = time.monotonic() + seconds
        while len(self.last) < len(self.kinds) or set(self.last.values()) != {wanted}:
            assert time.monotonic() < deadline, f"not {state} after {seconds} s: {self.last}"
            time.sleep(0.05)

    def sample(self) -> list[httpx.Response]:
        return [self._request(kind) for kind in self.kinds]

    def _ask(self, kind: str) -> None:
        while not self.stop.is_set():
            answer = self._request(kind)
            status = answer.status_code
            if status == 503 and not _is_unavailable(answer):
                status = -503  # a 503 of another shape: fails the test's final check
            self.statuses[(kind, status)] += 1
            self.last[kind] = status

    def _request(self, kind: str) -> httpx.Response:
        if kind == "lookup":
            return api.lookup(self.client, self.partner, valid_id_number(), "故障期间")
        return self.client.get(api.path("talent_list"), headers=self.province)


def _backend_pid(connection: Connection) -> int:
    return int(connection.connection.dbapi_connection.info.backend_pid)  # type: ignore[union-attr]


def _terminate(url: str, pid: int) -> None:
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@needs_postgres
def test_a_pooled_connection_dropped_while_idle_is_replaced_before_use(
    fresh_database_url: str,
) -> None:
    """Idle past `ping_after_idle`, a pooled connection is tested as it is checked out; one
    the server dropped meanwhile is replaced, and its caller never sees the failure."""
    engine = make_engine(fresh_database_url, ping_after_idle=0.0, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            dropped = _backend_pid(connection)
        _terminate(fresh_database_url, dropped)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
            assert _backend_pid(connection) != dropped
    finally:
        engine.dispose()


@needs_postgres
def test_a_connection_dropped_while_busy_fails_once_then_the_pool_is_renewed(
    fresh_database_url: str,
) -> None:
    """Used a moment ago, a connection is not tested (the round trip that saves): if the
    server dropped it even so, the statement fails as a disconnect (answered 503), and the
    next checkout gets a new connection."""
    engine = make_engine(fresh_database_url, ping_after_idle=3600.0, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            dropped = _backend_pid(connection)
        _terminate(fresh_database_url, dropped)
        with pytest.raises(DBAPIError) as failed, engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
            assert _backend_pid(connection) != dropped
    finally:
        engine.dispose()
