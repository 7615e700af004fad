"""Schema migrations from inside the application: upgrade, readiness and drift.

Several hosts may start at once on one PostgreSQL database: the upgrade and the reference
data it loads run under one advisory lock, held on the migrating connection, so they run
one after the other and the later ones find nothing to do. A schema ahead of this release
(a newer host migrated it during a rolling upgrade) is left alone: migrations are written
expand-then-contract, so this release still runs on it.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from app.core.reference import sync_reference_data
from app.core.resources import project_root
from app.lookup.partitions import PARTITION_TABLE
from app.tasks.seed import sync_key_tasks

ROOT = project_root()
# The advisory lock's key: any fixed number; this one spells "bluecard" in ASCII.
MIGRATION_LOCK = 0x626C7565_63617264
log = logging.getLogger("bluecard.migrate")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Migrate to the latest schema, then load the reference data of this release; a
    schema ahead of this release is left as it is."""
    with engine.connect() as connection:
        locked = connection.dialect.name == "postgresql"
        if locked:
            # Migrations may outlast the request timeouts; the lock is waited for, not failed.
            connection.execute(text("SET statement_timeout = 0; SET lock_timeout = 0"))
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        try:
            _upgrade_on(connection)
        finally:
            if locked:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.execute(text("RESET statement_timeout; RESET lock_timeout"))
                connection.commit()


def _upgrade_on(connection: Connection) -> None:
    current = current_revision(connection)
    connection.rollback()
    if schema_is_ahead(current):
        log.warning("database schema is ahead of this release: not migrating")
        return
    with connection.begin():
        command.upgrade(alembic_config(connection), "head")
    with Session(connection) as session, session.begin():
        sync_reference_data(session)
        sync_key_tasks(session)


@lru_cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@lru_cache
def known_revisions() -> frozenset[str]:
    return frozenset(
        rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )


def schema_is_ahead(current: str | None) -> bool:
    """A revision this release does not know was written by a newer one."""
    return current is not None and current not in known_revisions()


def schema_serves(current: str | None) -> bool:
    """This release runs on its own head and on any newer schema, never on an older one."""
    return current == head_revision() or schema_is_ahead(current)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """What autogenerate compares: not the lookup record's partitions, which the service
    creates and drops by month (`lookup.partitions`), nor anything on them."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (reflected and table is not None and PARTITION_TABLE.fullmatch(table))


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def schema_drift(connection: Connection) -> list[Any]:
    """Differences autogenerate would write: empty when models and migrations agree."""
    from app.models import Base

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, Base.metadata))
