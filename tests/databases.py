"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database; and copies
of one database (a template migrated once), which are made much faster than migrating."""

from __future__ import annotations

import os
import shutil
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
    with _server_database(server) as url:
        yield url


@contextmanager
def copied_database(template_url: str, tmp_dir: Path) -> Iterator[str]:
    """A throwaway database holding what the template holds. No connection to the template
    may be open: on SQLite its write-ahead log would not be in the copy, and PostgreSQL
    refuses to copy a database in use."""
    server = server_url()
    if server is None:
        source = Path(str(make_url(template_url).database))
        wal = source.with_name(source.name + "-wal")
        if wal.exists() and wal.stat().st_size:
            raise RuntimeError(f"{source} has a write-ahead log: close its connections first")
        target = tmp_dir / "bluecard-test.db"
        # Private, as the application creates its SQLite files (`core.db`).
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    with _server_database(server, template=make_url(template_url).database) as url:
        yield url


@contextmanager
def _server_database(server: str, template: str | None = None) -> Iterator[str]:
    name = f"bluecard_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copied = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
