"""the notice read right: a row error's line in the city's sheet; reference codes the
province extends (active, province-managed, owning unit, parent code and year)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submission_error") as batch:
        batch.add_column(sa.Column("sheet_row", sa.Integer(), nullable=True))
    with op.batch_alter_table("reference_code") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(
            sa.Column("province_managed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("owner_unit", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("parent_code", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reference_code") as batch:
        for column in ("year", "parent_code", "owner_unit", "province_managed", "active"):
            batch.drop_column(column)
    with op.batch_alter_table("submission_error") as batch:
        batch.drop_column("sheet_row")
