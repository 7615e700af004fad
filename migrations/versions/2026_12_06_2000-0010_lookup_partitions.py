"""lookup record by month: partitioned by range of occurred_at on PostgreSQL (its primary
key now holds the time too), and the blind index stored as its 32 bytes on both databases

The table is rebuilt: the old one renamed aside, the new one created (with a partition
for every month its rows cover, the months ahead and a default one), the rows copied with
the hex digest decoded, the old table dropped, and the indexes built once, after the copy.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "id, occurred_at, caller_kind, caller_id, caller_name, service, purpose, query_kind, "
    "{subject}, outcome, basis, batch_id"
)


def _columns(digest: sa.types.TypeEngine[object], *, partitioned: bool) -> list[object]:
    primary = ("id", "occurred_at") if partitioned else ("id",)
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller_kind", sa.String(length=8), nullable=False),
        sa.Column("caller_id", sa.Uuid(), nullable=False),
        sa.Column("caller_name", sa.String(length=120), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("query_kind", sa.String(length=12), nullable=False),
        sa.Column("subject_hash", digest, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.String(length=12), nullable=True),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint(*primary, name="pk_lookup_record"),
    ]


def _set_aside() -> None:
    """The current table renamed, its indexes dropped (index names are per schema)."""
    op.drop_index("ix_lookup_record_subject_time", table_name="lookup_record")
    op.drop_index("ix_lookup_record_caller_time", table_name="lookup_record")
    op.rename_table("lookup_record", "lookup_record_old")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE lookup_record_old RENAME CONSTRAINT pk_lookup_record TO pk_old")


def _copy_and_index(subject: str) -> None:
    columns = COLUMNS.format(subject="subject_hash")
    op.execute(
        f"INSERT INTO lookup_record ({columns}) "
        f"SELECT {COLUMNS.format(subject=subject)} FROM lookup_record_old"
    )
    op.drop_table("lookup_record_old")
    op.create_index("ix_lookup_record_subject_time", "lookup_record", ["subject_hash", "occurred_at"])
    op.create_index("ix_lookup_record_caller_time", "lookup_record", ["caller_id", "occurred_at"])


def upgrade() -> None:
    from app.lookup import partitions

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    _set_aside()
    options = {"postgresql_partition_by": "RANGE (occurred_at)"} if postgres else {}
    op.create_table("lookup_record", *_columns(sa.LargeBinary(length=32), partitioned=True), **options)
    if postgres:
        partitions.create_default(bind)
        now = datetime.now(UTC)
        low, high = bind.execute(
            sa.text("SELECT min(occurred_at), max(occurred_at) FROM lookup_record_old")
        ).one()
        month = partitions.month_of(min(low or now, now))
        last = partitions.add_months(partitions.month_of(max(high or now, now)), partitions.AHEAD_MONTHS)
        while month <= last:
            partitions.create_partition(bind, month)
            month = partitions.add_months(month, 1)
    if not postgres:  # the app's engines have it (`core.db`); any other connection too
        bind.connection.driver_connection.create_function(  # type: ignore[union-attr]
            "unhex", 1, lambda text: None if text is None else bytes.fromhex(text)
        )
    _copy_and_index("decode(subject_hash, 'hex')" if postgres else "unhex(subject_hash)")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _set_aside()
    op.create_table("lookup_record", *_columns(sa.String(length=64), partitioned=False))
    _copy_and_index("encode(subject_hash, 'hex')" if postgres else "lower(hex(subject_hash))")
