"""Backing the database up to one file, and restoring it.

SQLite: the online backup API copies a consistent snapshot while the service keeps running
(readers and writers carry on); restoring copies the file back the same way, into the
database file named by the settings. PostgreSQL: `pg_dump --format=custom` (one consistent
snapshot), restored as SQL by psql into an emptied schema in one transaction (all or nothing).

Neither copies the data-protection key file. Every ID number in the database is encrypted
and indexed with its keys: a backup without the key file is useless. Keep both, apart.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from app.core.db import make_engine, normalise_url

# Every bluecard database has it (Alembic's revision table): a file without it is not ours.
MARKER_TABLE = "alembic_version"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator (Chinese)."""


def backup_database(url: str, destination: Path) -> None:
    """Write a consistent copy of the database at `url` to `destination` (replaced whole)."""
    parsed = make_url(normalise_url(url))
    try:
        if parsed.get_backend_name() == "sqlite":
            _backup_sqlite(_sqlite_path(parsed), destination)
        else:
            _backup_postgres(parsed, destination)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"无法写入备份文件 {destination}：{exc}") from exc


def restore_database(source: Path, url: str, *, force: bool = False) -> None:
    """Replace the database at `url` with the backup in `source`.

    Refused when the database already has tables, unless `force`: a restore over live data
    discards everything written since the backup.
    """
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    if not force and not database_is_empty(url):
        raise BackupError(
            "目标数据库已有数据表。恢复会丢弃其中全部数据；确认无误后请加 --force 重试。"
        )
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        _restore_sqlite(source, _sqlite_path(parsed))
    else:
        _restore_postgres(source, parsed)


def database_is_empty(url: str) -> bool:
    """True when the database has no tables (or, for SQLite, no file yet)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and not _sqlite_path(parsed).exists():
        return True
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份或恢复。")
    return Path(url.database)


def _backup_sqlite(database: Path, destination: Path) -> None:
    if not database.exists():
        raise BackupError(f"数据库文件不存在：{database}")
    with _replacing(destination) as partial:
        with closing(sqlite3.connect(database)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            # One self-contained file: no -wal beside it to forget when copying it away.
            dst.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite_backup(partial)


def _restore_sqlite(source: Path, database: Path) -> None:
    _check_sqlite_backup(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    # Through the backup API, not a file copy: SQLite rewrites the target under its own
    # locks, so a -wal file left beside the target cannot replay stale pages over it.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(database)) as dst:
        src.backup(dst)


def _check_sqlite_backup(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"不是有效的 SQLite 备份文件：{path}") from exc
    if verdict != "ok":
        raise BackupError(f"备份文件已损坏（{verdict}）：{path}")
    if MARKER_TABLE not in tables:
        raise BackupError(f"不是 bluecard 数据库的备份：{path}")


def _backup_postgres(url: URL, destination: Path) -> None:
    with _replacing(destination) as partial:
        _run_pg(url, "pg_dump", "--format=custom", f"--file={partial}")


def _restore_postgres(source: Path, url: URL) -> None:
    # The dump as SQL, run by psql after an emptied schema, all in one transaction.
    # pg_restore's own --clean drops object by object, which a partitioned table refuses
    # (a partition's inherited key cannot be dropped alone).
    # --no-owner/--no-privileges: the target may belong to another role than the source.
    with tempfile.NamedTemporaryFile(suffix=".sql") as script:
        _run_pg(
            None, "pg_restore", "--no-owner", "--no-privileges", f"--file={script.name}",
            str(source),
        )  # fmt: skip
        _run_pg(
            url, "psql", "--single-transaction", "--set=ON_ERROR_STOP=1", "--quiet",
            "--command=DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
            f"--file={script.name}",
        )  # fmt: skip


def _run_pg(url: URL | None, program: str, *args: str) -> None:
    """Run a PostgreSQL client program, against `url` (None: a program that reads a file)."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"找不到 {program}：请安装与服务器版本一致的 PostgreSQL 客户端工具。")
    # The password goes through the environment, never the command line (visible in `ps`).
    password = url.password if url is not None else None
    env = {**os.environ, "PGPASSWORD": password or os.environ.get("PGPASSWORD", "")}
    target = (
        []
        if url is None
        else [f"--dbname={url.set(drivername='postgresql', password=None).render_as_string()}"]
    )
    done = subprocess.run(  # noqa: S603 - fixed program, arguments are ours
        [executable, *args, *target],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{program} 失败（退出码 {done.returncode}）：{done.stderr.strip()}")


@contextmanager
def _replacing(destination: Path) -> Iterator[Path]:
    """A temporary file beside `destination`, moved over it only once it is complete."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    os.close(fd)
    partial = Path(name)
    try:
        partial.unlink()  # the writers below create the file themselves
        yield partial
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
