"""filing tables and columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:04:00

- submission.ignored_columns: header cells of the file that are not in the format.
- submission_row.id_masked, .name: who a row is about, for the preview and conflicts.
- submission_row: every stored row is a valid one, so its person, outcome and sealed
  record are always there (NOT NULL).
- submission_row (submission_id, row_no) unique: rows are read in file order by slices;
  it replaces the plain index on submission_id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ALWAYS_SET = (
    ("id_hash", sa.String(length=64)),
    ("outcome", sa.String(length=12)),
    ("record_cipher", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ignored_columns", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.alter_column("ignored_columns", server_default=None)

    with op.batch_alter_table("submission_row", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("id_masked", sa.String(length=18), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("name", sa.String(length=50), nullable=True))
        batch_op.drop_index(batch_op.f("ix_submission_row_submission_id"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_submission_row_submission_id_row_no"), ["submission_id", "row_no"]
        )
    with op.batch_alter_table("submission_row", schema=None) as batch_op:
        batch_op.alter_column("id_masked", server_default=None)
        for name, type_ in _ALWAYS_SET:
            batch_op.alter_column(name, existing_type=type_, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_row", schema=None) as batch_op:
        for name, type_ in _ALWAYS_SET:
            batch_op.alter_column(name, existing_type=type_, nullable=True)
        batch_op.drop_constraint(
            batch_op.f("uq_submission_row_submission_id_row_no"), type_="unique"
        )
        batch_op.create_index(
            batch_op.f("ix_submission_row_submission_id"), ["submission_id"], unique=False
        )
        batch_op.drop_column("name")
        batch_op.drop_column("id_masked")

    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("ignored_columns")
