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
def verify_chain(_caller: Auditor, session: SessionDep) -> ChainVerification:
    status = audit.verify(session)
    return ChainVerification(ok=status.ok, events=status.events, head=status.head)
