"""Province admins extend the reference lists: add a code, rename it, deactivate it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.access.auth import ProvinceAdmin
from app.core.db import SessionDep
from app.core.reference_router import ReferenceItem, reference_item
from app.core.text_fields import CHECK_LINE
from app.reference import service

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])

ExtensibleKind = Literal[
    "services", "categories", "relations", "exit-reasons", "studio-programmes", "recognition-lists"
]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), CHECK_LINE
]
EnglishLabel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), CHECK_LINE
]
ShortLabel = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), CHECK_LINE]


class ReferenceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code = Field(description="Lowercase letters, digits and _; never changes once added.")
    name_zh: Label
    name_en: EnglishLabel
    short_name_zh: ShortLabel | None = None
    owner_unit: Label | None = Field(None, description="A studio programme's owning unit.")
    parent_code: Code | None = Field(None, description="A recognition list's category.")
    year: int | None = Field(None, ge=1949, le=2100, description="A recognition list's year.")


class ReferenceUpdate(BaseModel):
    """Labels, owning unit and the active flag; a code itself never changes."""

    model_config = ConfigDict(extra="forbid")

    name_zh: Label | None = None
    name_en: EnglishLabel | None = None
    short_name_zh: ShortLabel | None = None
    owner_unit: Label | None = None
    active: bool | None = None


@router.post(
    "/{kind}",
    summary="Add a code to a list the province extends",
    status_code=status.HTTP_201_CREATED,
)
def reference_add(
    kind: ExtensibleKind, body: ReferenceCreate, admin: ProvinceAdmin, session: SessionDep
) -> ReferenceItem:
    """Adds a code to a list the province extends (services, categories, relations, studio
    programmes, exit reasons); a code already used is 409. Province admins only; audited."""
    row = service.add_code(session, admin, kind, **body.model_dump())
    return reference_item(row)


@router.patch("/{kind}/{code}", summary="Rename a code, or deactivate or reactivate it")
def reference_update(
    kind: ExtensibleKind,
    code: str,
    body: ReferenceUpdate,
    admin: ProvinceAdmin,
    session: SessionDep,
) -> ReferenceItem:
    """Renames a code or deactivates (reactivates) it; the code itself never changes and is
    never deleted, so old records keep their meaning. Province admins only; audited."""
    row = service.change_code(session, admin, kind, code, **body.model_dump(exclude_unset=True))
    return reference_item(row)
