"""lookup journal: a batch's lookups in one row, expanded into records afterwards

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:29:35
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lookup_journal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller_kind", sa.String(length=8), nullable=False),
        sa.Column("caller_id", sa.Uuid(), nullable=False),
        sa.Column("caller_name", sa.String(length=120), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("query_kind", sa.String(length=12), nullable=False),
        sa.Column("entries", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookup_journal")),
    )


def downgrade() -> None:
    # Batches still in the journal become records first: downgrading loses no lookup.
    from app.lookup.journal import expand_pending

    expand_pending(op.get_bind())
    op.drop_table("lookup_journal")
