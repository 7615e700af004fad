"""assistance job seekers: the dependents an assistance case records as wanting work and
having none, who have employment priority while the case is open

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistance_job_seeker",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("dependent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["assistance_case.id"],
            name=op.f("fk_assistance_job_seeker_case_id_assistance_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dependent_id"],
            ["dependent.id"],
            name=op.f("fk_assistance_job_seeker_dependent_id_dependent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "dependent_id", name=op.f("pk_assistance_job_seeker")),
    )
    op.create_index(
        op.f("ix_assistance_job_seeker_dependent_id"),
        "assistance_job_seeker",
        ["dependent_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_assistance_job_seeker_dependent_id"), table_name="assistance_job_seeker")
    op.drop_table("assistance_job_seeker")
