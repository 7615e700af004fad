"""Alembic environment: URL and metadata come from the application itself."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from app.core.db import make_engine
from app.core.settings import get_settings
from app.core.types import HexDigest, UTCDateTime
from app.models import Base
from app.ops.migrate import include_object

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_object=include_object,
    )


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations stay static: our column types are rendered as the plain types beneath.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, HexDigest):
        return "sa.LargeBinary(length=32)"
    return False


def run_migrations_online() -> None:
    # A caller (tests, `bluecard db upgrade`) may hand us its own connection.
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
