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
    "cities",
    "conditions",
    "categories",
    "services",
    "skill-levels",
    "relations",
    "exit-reasons",
    "studio-programmes",
    "recognition-lists",
]


class ReferenceItem(BaseModel):
    code: str
    name_zh: str
    name_en: str
    short_name_zh: str | None = None
    active: bool = True
    owner_unit: str | None = None
    parent_code: str | None = None
    year: int | None = None


def reference_item(row: ReferenceCode) -> ReferenceItem:
    return ReferenceItem(
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        short_name_zh=row.short_name_zh,
        active=row.active,
        owner_unit=row.owner_unit,
        parent_code=row.parent_code,
        year=row.year,
    )


@router.get("/{kind}", summary="List the codes of one kind, with Chinese and English names")
def reference_list(
    kind: ReferenceKind, session: SessionDep, include_inactive: bool = False
) -> list[ReferenceItem]:
    """Lists the codes of one kind (cities, categories, services, skill levels, relations,
    conditions, exit reasons, …) with Chinese and English names, active ones in order;
    `include_inactive` adds those the province has deactivated (still valid in old records,
    no longer offered). Anyone may call it; records nothing."""
    query = select(ReferenceCode).where(ReferenceCode.kind == kind)
    if not include_inactive:
        query = query.where(ReferenceCode.active.is_(True))
    rows = session.scalars(query.order_by(ReferenceCode.position, ReferenceCode.code))
    return [reference_item(r) for r in rows]
