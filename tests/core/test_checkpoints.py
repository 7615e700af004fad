"""While the server runs, SQLite's write-ahead log is checkpointed in the background, not
inside writers' commits; outside it (the CLI) SQLite's own default applies."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.checkpoints import INTERVAL_SECONDS
from app.core.db import connection_scope, get_engine


@pytest.fixture
def sqlite_database(fresh_database_url: str) -> str:
    if not fresh_database_url.startswith("sqlite"):
        pytest.skip("write-ahead-log checkpoints are SQLite's")
    with get_engine().begin() as connection:
        connection.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, note TEXT)"))
    return fresh_database_url


def autocheckpoint() -> int:
    with connection_scope() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def write(first: int, count: int) -> None:
    for row_id in range(first, first + count):
        with connection_scope() as connection:
            connection.execute(
                text("INSERT INTO scratch (id, note) VALUES (:id, :note)"),
                {"id": row_id, "note": "x" * 3000},
            )


def frames_in_log() -> int:
    """Frames written since the log last restarted (it restarts after a full checkpoint)."""
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        _busy, log, _checkpointed = c.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return int(log)


def test_the_running_server_checkpoints_in_the_background(sqlite_database: str) -> None:
    from app.main import create_app

    assert autocheckpoint() == 1000  # SQLite's default, outside the server
    with TestClient(create_app()):
        assert autocheckpoint() == 0  # commits no longer checkpoint
        write(0, 200)
        time.sleep(3 * INTERVAL_SECONDS)  # the background task's turn comes
        write(200, 1)  # the first write after a complete checkpoint restarts the log
        assert frames_in_log() < 10
    assert autocheckpoint() == 1000
