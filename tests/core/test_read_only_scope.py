"""Read-only Core work on PostgreSQL runs outside a transaction (READ COMMITTED gives each
statement its own snapshot either way; a BEGIN and a COMMIT are two round trips more),
and still sees what others have committed; writing work stays in one transaction."""

from __future__ import annotations

import pytest
from psycopg import pq
from sqlalchemy import Connection, text

from app.core.db import connection_scope
from tests.databases import is_postgres

pytestmark = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's transactions")


def _status(connection: Connection) -> pq.TransactionStatus:
    return connection.connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr, no-any-return]


def test_read_only_work_holds_no_transaction(fresh_database_url: str) -> None:
    with connection_scope(read_only=True) as reader:
        assert reader.execute(text("SELECT 1")).scalar() == 1
        assert _status(reader) == pq.TransactionStatus.IDLE
    with connection_scope() as writer:
        writer.execute(text("SELECT 1"))
        assert _status(writer) == pq.TransactionStatus.INTRANS


def test_read_only_work_sees_each_commit_as_it_comes(fresh_database_url: str) -> None:
    with connection_scope() as writer:
        writer.execute(text("CREATE TABLE seen (n integer)"))
    with connection_scope(read_only=True) as reader:
        assert reader.execute(text("SELECT count(*) FROM seen")).scalar() == 0
        with connection_scope() as writer:
            writer.execute(text("INSERT INTO seen VALUES (1)"))
        assert reader.execute(text("SELECT count(*) FROM seen")).scalar() == 1
