"""hostile input: login failures counted per username and client address; the audit chain
keyed (an HMAC from `keyed_from` on) with verified checkpoints

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The counts are minutes-lived; a new key is simpler than carrying them over.
    op.drop_table("login_throttle")
    _create_login_throttle(with_address=True)

    # The events chained so far keep their plain SHA-256 links; from the next one on, each
    # is MAC'd under the key ring's audit key (app/core/audit.py).
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.add_column(sa.Column("keyed_from", sa.BigInteger(), nullable=True))
    op.execute("UPDATE audit_head SET keyed_from = seq + 1")
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.alter_column("keyed_from", existing_type=sa.BigInteger(), nullable=False)
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("keyed_from", sa.BigInteger(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoint")),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("keyed_from")
    op.drop_table("login_throttle")
    _create_login_throttle(with_address=False)


def _create_login_throttle(*, with_address: bool) -> None:
    key = ["username", "address"] if with_address else ["username"]
    address = [sa.Column("address", sa.String(length=64), nullable=False)] if with_address else []
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        *address,
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_login_throttle")),
    )
