"""registry tables and columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:03:00

- talent.rules_version: the eligibility rules that decided the record.
- marker.change_source: who made the last status change (a filing or an admin).
- marker.card_id goes: a talent's card is found through the blind index instead.
- talent_version: one row per (talent, version).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("talent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rules_version", sa.String(length=32), nullable=False, server_default="")
        )
    with op.batch_alter_table("talent", schema=None) as batch_op:
        batch_op.alter_column("rules_version", server_default=None)

    with op.batch_alter_table("marker", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "change_source", sa.String(length=16), nullable=False, server_default="eligibility"
            )
        )
        batch_op.drop_constraint(op.f("fk_marker_card_id_blue_card"), type_="foreignkey")
        batch_op.drop_column("card_id")
    with op.batch_alter_table("marker", schema=None) as batch_op:
        batch_op.alter_column("change_source", server_default=None)

    with op.batch_alter_table("talent_version", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            op.f("uq_talent_version_talent_id_version"), ["talent_id", "version"]
        )


def downgrade() -> None:
    with op.batch_alter_table("talent_version", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_talent_version_talent_id_version"), type_="unique")

    with op.batch_alter_table("marker", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.create_foreign_key(
            op.f("fk_marker_card_id_blue_card"),
            "blue_card",
            ["card_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_column("change_source")

    with op.batch_alter_table("talent", schema=None) as batch_op:
        batch_op.drop_column("rules_version")
