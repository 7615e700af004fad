"""Who a secret admits, read in the test's own transaction (as `auth.admit_group` reads it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.access.auth import Principal, admit_group


def principal_of(session: Session, secret: str) -> Principal | None:
    [(admitted, value)] = admit_group(session.connection(), [secret])
    return value[0] if admitted else None
