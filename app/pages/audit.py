"""The audit chain check, for auditors and the province."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core import audit
from app.core.db import SessionDep
from app.pages.rendering import render
from app.pages.session import page_gate

router = APIRouter()

AuditReader = Annotated[Principal, Depends(page_gate(Role.auditor, Role.province_admin))]


@router.get("/audit", name="page_audit_home")
def audit_home(request: Request, _user: AuditReader) -> Response:
    return render(request, "audit.html", {"status": None})


@router.get("/audit/verify", name="page_audit_verify")
def audit_verify(request: Request, _user: AuditReader, session: SessionDep) -> Response:
    return render(request, "audit.html", {"status": audit.verify(session)})
