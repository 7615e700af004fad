"""Audit chain verification."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.access.auth import Auditor
from app.core import audit
from app.core.db import SessionDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class ChainVerification(BaseModel):
    ok: bool
    events: int
    head: str


@router.get(
    "/verify",
    summary="Verify the audit chain (keyed MACs) from the last verified checkpoint to the head",
)
def audit_verify(_caller: Auditor, session: SessionDep) -> ChainVerification:
    """Verifies the audit chain (keyed MACs) from the last verified checkpoint to the head
    and says whether it is intact. Auditors and province admins; records nothing."""
    status = audit.verify(session)
    return ChainVerification(ok=status.ok, events=status.events, head=status.head)
