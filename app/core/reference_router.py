"""Reference data, for clients building forms and validating codes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from app.core.db import SessionDep
from app.core.reference import ReferenceCode

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])

ReferenceKind = Literal[
    "cities", "conditions", "categories", "services", "skill-levels", "relations"
]


class ReferenceItem(BaseModel):
    code: str
    name_zh: str
    name_en: str
    short_name_zh: str | None = None


@router.get("/{kind}", summary="List the codes of one kind, with Chinese and English names")
def reference_list(kind: ReferenceKind, session: SessionDep) -> list[ReferenceItem]:
    """Lists the codes of one kind (cities, categories, services, skill levels, relations,
    conditions) with Chinese and English names. Anyone may call it; records nothing."""
    rows = session.scalars(
        select(ReferenceCode).where(ReferenceCode.kind == kind).order_by(ReferenceCode.position)
    )
    return [
        ReferenceItem(
            code=r.code, name_zh=r.name_zh, name_en=r.name_en, short_name_zh=r.short_name_zh
        )
        for r in rows
    ]
