"""Migrations on a shared database: under a lock, idempotent, and a newer schema (a
rolling upgrade) still serves while an older one does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select, text

import app.models  # noqa: F401 - every table in the metadata
from app.core.db import Base, get_engine, session_scope
from app.core.reference import ReferenceCode
from app.ops.migrate import alembic_config, head_revision, upgrade
from tests.databases import is_postgres, throwaway_database
from tests.robustness.servers import Server

NEWER = "f0_written_by_a_newer_release"


def _stamp(revision: str) -> None:
    with get_engine().begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})


def _stamped() -> str:
    with get_engine().connect() as connection:
        return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar())


def _readyz() -> tuple[int, str]:
    from app.main import create_app

    with TestClient(create_app()) as client:
        answer = client.get("/readyz")
    return answer.status_code, answer.json().get("code", "")


def test_a_schema_ahead_of_this_release_still_serves_and_is_left_alone(
    fresh_database_url: str,
) -> None:
    _stamp(NEWER)
    upgrade(get_engine())  # an old host restarting during a rolling upgrade
    assert _stamped() == NEWER
    assert _readyz() == (200, "")


def test_a_schema_behind_this_release_is_not_ready(fresh_database_url: str) -> None:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision())
    assert head is not None and isinstance(head.down_revision, str)
    _stamp(head.down_revision)
    assert _readyz() == (503, "schema_outdated")


def test_upgrade_again_updates_reference_rows_in_place(fresh_database_url: str) -> None:
    with session_scope() as session:
        seeded = {(r.kind, r.code, r.name_zh) for r in session.scalars(select(ReferenceCode))}
        hefei = session.get(ReferenceCode, ("cities", "340100"))
        assert hefei is not None
        hefei.name_zh = "旧名"
        session.add(ReferenceCode(kind="cities", code="349900", name_zh="撤销", name_en="Gone",
                                  position=99))  # fmt: skip
    upgrade(get_engine())
    upgrade(get_engine())
    with session_scope() as session:
        again = {(r.kind, r.code, r.name_zh) for r in session.scalars(select(ReferenceCode))}
    # The seed's label comes back; a code is never deleted (records may use it).
    assert again == seeded | {("cities", "349900", "撤销")}


@pytest.mark.skipif(not is_postgres(), reason="the advisory lock is PostgreSQL's")
def test_three_servers_started_at_once_on_an_empty_database_all_come_up(tmp_path: Path) -> None:
    with throwaway_database(tmp_path) as url:
        key_file = tmp_path / "bluecard.keys"
        servers = [Server(url, key_file, tmp_path / f"serve-{n}.log") for n in range(3)]
        try:
            for server in servers:
                server.launch()
            for server in servers:
                server.wait_ready()  # /readyz 200, or the server's log in the failure
        finally:
            for server in servers:
                server.stop()


def test_the_migrations_build_the_schema_the_models_declare(fresh_database_url: str) -> None:
    """Every table, column and index of the models, and nothing more, but the lookup
    record's monthly partitions, which the service makes (PostgreSQL)."""

    def not_a_partition(item: object, name: str | None, kind: str, *_: object) -> bool:
        table = name if kind == "table" else getattr(getattr(item, "table", None), "name", "")
        return not str(table).startswith("lookup_record_")

    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": not_a_partition})
        assert compare_metadata(context, Base.metadata) == []
