"""drop talent_version's index on talent_id alone: the unique (talent_id, version) index
already serves every query by talent_id, and a filing paid for both on each version row

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_talent_version_talent_id", table_name="talent_version")


def downgrade() -> None:
    op.create_index("ix_talent_version_talent_id", "talent_version", ["talent_id"])
