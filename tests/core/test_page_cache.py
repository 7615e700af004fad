"""`roomy_page_cache`: a long SQLite write gets a bigger page cache, and gives it back."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.db import roomy_page_cache
from tests.databases import is_postgres


def test_the_cache_grows_for_the_block_and_is_restored_after(db: Session) -> None:
    connection = db.connection()
    if is_postgres():
        with roomy_page_cache(connection):  # PostgreSQL sizes its own buffers: nothing to set
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()

    with roomy_page_cache(connection, mebibytes=32):
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -32 * 1024

    assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == before
