"""Engine, session and the one commit point.

Services only `flush`; `get_session` commits after the route returns and before the
response leaves (`scope="function"`), and rolls back on any error. CLI commands use
`session_scope`, the same helper outside a request. The hottest routes run Core work in
transactions of their own instead (`app/core/transactions.py`).
"""

from __future__ import annotations

import json
import os
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Annotated, Any

import orjson
from fastapi import Depends
from sqlalchemy import Connection, MetaData, create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from app.core.openapi_doc import answers
from app.core.settings import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Execution option for connections that only read: on SQLite they skip the write lock.
READ_ONLY = "bluecard_read_only"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and run them on psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, ping_after_idle: float | None = None, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    # A database error's message would otherwise carry the statement's bound values (names,
    # reasons, encrypted ID numbers) into the server log; no caller may turn this off.
    kwargs["hide_parameters"] = True
    kwargs.setdefault("json_serializer", compact_json)
    if url.startswith("sqlite"):
        _create_private(make_url(url).database)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 30)
    kwargs.setdefault("pool_timeout", 10)
    # An unreachable host must fail fast (503), not hang requests for minutes.
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    engine = create_engine(url, **kwargs)
    if ping_after_idle is None:
        ping_after_idle = get_settings().db_ping_after_idle_seconds
    _test_when_idle(engine, ping_after_idle)
    return engine


def compact_json(value: Any) -> str:
    """JSON as UTF-8 without padding, for JSON columns and sealed rows: Chinese text escaped
    (`\\u9676`) took twice the bytes, and a filing's record versions are the registry's
    largest table. orjson writes the same text as `json.dumps` seven times sooner (a filing
    writes 100,000 versions and seals 100,000 rows)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:  # what it does not take (an integer past 64 bits)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_IDLE_SINCE = "bluecard_idle_since"


def _test_when_idle(engine: Engine, seconds: float) -> None:
    """A pooled connection is tested before use only when it has sat unused `seconds` or
    more (a restarted server, or a firewall, may have dropped it meanwhile); one that was
    working a moment ago is not. Testing every checkout (`pool_pre_ping`) cost a round trip
    per transaction, and a group of lookups is one transaction: PostgreSQL answered 12-15 %
    fewer lookups. A connection found dead is replaced: the pool retries a checkout refused
    with `DisconnectionError`. One lost while in use fails its request (503), and the pool
    then replaces every connection made before (SQLAlchemy's pool invalidation)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _tested(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return
        with suppress(engine.dialect.loaded_dbapi.Error):  # a closed one may raise
            if engine.dialect.do_ping(dbapi_connection):
                return
        raise DisconnectionError("a pooled connection was found closed")


def _create_private(path: str | None) -> None:
    """A new SQLite file is created 0600 (it holds names and sealed ID numbers); SQLite
    gives its WAL and shared-memory files the database file's mode."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    # An existing file stays as it is; a missing folder is SQLite's to report on connect,
    # as a database that cannot be reached (503), not an error of start-up.
    with suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


# SQLite engines whose write-ahead log a background task checkpoints (`checkpoints.py`):
# their connections leave it to that task instead of doing it inside a writer's commit.
CHECKPOINTED_APART: weakref.WeakSet[Engine] = weakref.WeakSet()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN (SQLAlchemy's SQLite savepoint recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if engine in CHECKPOINTED_APART:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()
        # Hex text to bytes, as PostgreSQL's decode(x, 'hex') (built into SQLite 3.41+).
        dbapi_connection.create_function("unhex", 1, _unhex, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a transaction that read and then
        # writes can never fail with "database is locked" because another wrote between.
        # Read-only work (READ_ONLY below) takes a plain snapshot and never waits.
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        conn.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")


def _unhex(text: str | None) -> bytes | None:
    return None if text is None else bytes.fromhex(text)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.is_sqlite:
        return make_engine(settings.database_url)
    return make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        connect_args=postgres_connect_args(settings),
    )


def postgres_connect_args(settings: Settings) -> dict[str, Any]:
    """Server-side limits, so that a stuck statement or a forgotten transaction cannot hold
    locks or a connection for ever, and the connections are named in pg_stat_activity."""
    options = (
        f"-c statement_timeout={settings.db_statement_timeout_ms}"
        f" -c lock_timeout={settings.db_lock_timeout_ms}"
        f" -c idle_in_transaction_session_timeout={settings.db_idle_in_transaction_timeout_ms}"
    )
    return {
        "connect_timeout": 5,
        "application_name": settings.db_application_name,
        "options": options,
    }


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


@answers(503)
def get_session() -> Iterator[Session]:
    with get_sessionmaker()() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# For a route that streams its answer from the database: the session stays open until
# the last piece is sent (so a read-only route only; its commit comes after the answer).
StreamingSessionDep = Annotated[Session, Depends(get_session, scope="request")]


@contextmanager
def session_scope() -> Iterator[Session]:
    """A transaction outside a request: commit on success, roll back on error."""
    with get_sessionmaker()() as session, session.begin():
        yield session


@contextmanager
def connection_scope(*, read_only: bool = False) -> Iterator[Connection]:
    """`session_scope` for Core work on a bare connection, without the ORM session.
    `read_only` work on SQLite reads a snapshot without taking the write lock. On PostgreSQL
    it runs outside a transaction: at READ COMMITTED each statement reads a snapshot of its
    own either way, and a BEGIN and a COMMIT are two round trips more (every authenticated
    call's credential is read this way)."""
    with get_engine().connect() as connection:
        if read_only:
            options: dict[str, Any] = {READ_ONLY: True}
            if connection.dialect.name == "postgresql":
                options["isolation_level"] = "AUTOCOMMIT"
            connection = connection.execution_options(**options)
        with connection.begin():
            yield connection


@contextmanager
def roomy_page_cache(connection: Connection, mebibytes: int = 64) -> Iterator[None]:
    """A bigger SQLite page cache for one long writing transaction (a pool load). With the
    default 2 MB, a long load keeps evicting the pages of its indexes and spilling them, to
    read and write them again through system calls; the connection goes back to the pool
    with its default. PostgreSQL sizes its own buffers."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{mebibytes * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")
