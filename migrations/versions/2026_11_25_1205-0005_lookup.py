"""lookup tables and columns

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A clerk's recent lookups are read by caller, newest first: index both columns.
    with op.batch_alter_table("lookup_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lookup_record_caller_id"))
        batch_op.create_index(
            "ix_lookup_record_caller_time", ["caller_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lookup_record", schema=None) as batch_op:
        batch_op.drop_index("ix_lookup_record_caller_time")
        batch_op.create_index(batch_op.f("ix_lookup_record_caller_id"), ["caller_id"], unique=False)
