"""Adding, renaming and deactivating reference codes (province admins).

A code never changes once it exists: records, partner scopes and lookups name it. Its
labels may be renamed, and it is deactivated rather than deleted; a release never
overwrites a row the province added or renamed (`province_managed`).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import Actor
from app.core.errors import Conflict, InvalidInput, NotFound, field_error
from app.core.reference import (
    EXTENSIBLE_KINDS,
    ReferenceCode,
    forget_active_codes,
    reference_rows,
)

# Each dependent stores its relation code in 16 characters (`dependent.relation`,
# `assistance_service.dependent_relation`), narrower than the list's 40.
_CODE_LENGTH = {"relations": 16}


def add_code(
    session: Session,
    actor: Actor,
    kind: str,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    short_name_zh: str | None = None,
    owner_unit: str | None = None,
    parent_code: str | None = None,
    year: int | None = None,
) -> ReferenceCode:
    _check_kind(kind)
    if len(code) > _CODE_LENGTH.get(kind, len(code)):
        _refuse("code", "too_long", f"此类代码最长{_CODE_LENGTH[kind]}个字符。")
    if session.get(ReferenceCode, (kind, code)) is not None:
        raise Conflict(f"代码「{code}」已存在；代码一经使用不能重复或更改。", code="code_taken")
    _check_fields(session, kind, owner_unit=owner_unit, parent_code=parent_code, year=year)
    _check_label_free(session, kind, code, name_zh)
    last = session.scalar(
        select(func.max(ReferenceCode.position)).where(ReferenceCode.kind == kind)
    )
    row = ReferenceCode(
        kind=kind,
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        short_name_zh=short_name_zh,
        position=(last if last is not None else -1) + 1,
        active=True,
        province_managed=True,
        owner_unit=owner_unit,
        parent_code=parent_code,
        year=year,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "reference.add", f"reference:{kind}:{code}", _state(row))
    forget_active_codes()
    return row


def change_code(
    session: Session,
    actor: Actor,
    kind: str,
    code: str,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    short_name_zh: str | None = None,
    owner_unit: str | None = None,
    active: bool | None = None,
) -> ReferenceCode:
    """Rename a code's labels, change its owning unit, or (de)activate it; never its code."""
    _check_kind(kind)
    row = session.get(ReferenceCode, (kind, code))
    if row is None:
        raise NotFound("没有这个代码。")
    if name_zh is not None and name_zh != row.name_zh:
        _check_label_free(session, kind, code, name_zh)
        row.name_zh = name_zh
    if name_en is not None:
        row.name_en = name_en
    if short_name_zh is not None:
        row.short_name_zh = short_name_zh or None
    if owner_unit is not None:
        _check_fields(
            session, kind, owner_unit=owner_unit, parent_code=row.parent_code, year=row.year
        )
        row.owner_unit = owner_unit
    if active is not None:
        row.active = active
    row.province_managed = True
    session.flush()
    audit.record(session, actor, "reference.change", f"reference:{kind}:{code}", _state(row))
    forget_active_codes()
    return row


def is_seeded(kind: str, code: str) -> bool:
    return any(row["code"] == code for row in reference_rows(kind))


def _check_kind(kind: str) -> None:
    if kind not in EXTENSIBLE_KINDS:
        raise NotFound("此类代码由系统版本规定，不能在此增改。")


def _check_fields(
    session: Session,
    kind: str,
    *,
    owner_unit: str | None,
    parent_code: str | None,
    year: int | None,
) -> None:
    if kind == "studio-programmes" and not owner_unit:
        _refuse("owner_unit", "required", "工作室项目必须填写主管单位。")
    if kind == "recognition-lists":
        if parent_code is None or session.get(ReferenceCode, ("categories", parent_code)) is None:
            _refuse("parent_code", "invalid_code", "认定名单必须属于一个已有的人才类别。")
        if year is None:
            _refuse("year", "required", "认定名单必须填写年份。")


def _check_label_free(session: Session, kind: str, code: str, name_zh: str) -> None:
    taken = session.scalar(
        select(ReferenceCode.code).where(
            ReferenceCode.kind == kind, ReferenceCode.name_zh == name_zh, ReferenceCode.code != code
        )
    )
    if taken is not None:
        _refuse("name_zh", "name_taken", f"名称「{name_zh}」已被代码「{taken}」使用。")


def _refuse(field: str, code: str, message: str) -> None:
    raise InvalidInput(message, errors=[field_error(field, code, message)])


def _state(row: ReferenceCode) -> dict[str, object]:
    return {
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "active": row.active,
        "owner_unit": row.owner_unit,
        "parent_code": row.parent_code,
        "year": row.year,
    }
