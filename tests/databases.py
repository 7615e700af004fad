"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.db import normalise_url


def server_url() -> str | None:
    url = os.environ.get("BLUECARD_TEST_DATABASE_URL")
    return normalise_url(url) if url else None


def is_postgres() -> bool:
    return (server_url() or "").startswith("postgresql")


@contextmanager
def throwaway_database(tmp_dir: Path) -> Iterator[str]:
    server = server_url()
    if server is None:
        yield f"sqlite:///{tmp_dir / 'bluecard-test.db'}"
        return
    name = f"bluecard_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
