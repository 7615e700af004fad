"""person reads: a lookup record without a service, for reads of a person on a page or
in a filing check (the record's purpose says why, its outcome what was shown)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lookup_record") as batch:
        batch.alter_column("service", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    # Reads have no service: they become records of an empty one, kept for the access log.
    op.execute("UPDATE lookup_record SET service = '' WHERE service IS NULL")
    with op.batch_alter_table("lookup_record") as batch:
        batch.alter_column("service", existing_type=sa.String(length=32), nullable=False)
