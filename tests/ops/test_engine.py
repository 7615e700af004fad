"""PostgreSQL connections carry the settings' timeouts and application name."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from app.core.db import get_engine
from tests.conftest import reset_caches
from tests.databases import is_postgres

SETTINGS = {
    "BLUECARD_DB_STATEMENT_TIMEOUT_MS": "7000",
    "BLUECARD_DB_LOCK_TIMEOUT_MS": "3000",
    "BLUECARD_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": "90000",
    "BLUECARD_DB_APPLICATION_NAME": "bluecard-host-2",
    "BLUECARD_DB_POOL_SIZE": "3",
    "BLUECARD_DB_MAX_OVERFLOW": "2",
}


@pytest.fixture
def configured_engine(engine: object) -> Iterator[None]:
    os.environ.update(SETTINGS)
    reset_caches()
    yield
    get_engine().dispose()
    for name in SETTINGS:
        del os.environ[name]
    reset_caches()


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL connection settings")
def test_postgres_connections_carry_timeouts_and_name(configured_engine: None) -> None:
    engine = get_engine()
    with engine.connect() as connection:
        shown = {
            name: connection.execute(text(f"SHOW {name}")).scalar()
            for name in (
                "statement_timeout",
                "lock_timeout",
                "idle_in_transaction_session_timeout",
                "application_name",
            )
        }
    assert shown == {
        "statement_timeout": "7s",
        "lock_timeout": "3s",
        "idle_in_transaction_session_timeout": "90s",
        "application_name": "bluecard-host-2",
    }
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    assert engine.pool._max_overflow == 2  # type: ignore[attr-defined]
