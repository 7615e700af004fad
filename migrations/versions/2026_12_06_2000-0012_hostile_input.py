"""hostile input: login failures counted per username and client address; the audit chain
keyed (an HMAC from `keyed_from` on) with verified checkpoints

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The counts are minutes-lived; a new key is simpler than carrying them over.
    op.drop_table("login_throttle")
    _create_login_throttle(with_address=True)


def downgrade() -> None:
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
