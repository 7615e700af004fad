"""A province admin's correction of a filed record, guarded by the record's version (ETag).

The row is locked before its version is compared, so of two edits made from the same
ETag exactly one wins and the other gets 412: on PostgreSQL the second waits for the
first to commit, then sees the new version. The mapper's version column guards the UPDATE
itself as well.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core import audit
from app.core.audit import Actor
from app.core.errors import (
    Conflict,
    InvalidInput,
    PreconditionFailed,
    PreconditionRequired,
    field_error,
)
from app.core.keys import get_keyring
from app.core.reference import active_codes
from app.registry import service
from app.registry.diffs import STATUS_FILED
from app.registry.models import Talent
from app.registry.records import (
    DEPENDENT_ID_CONTEXT,
    DependentData,
    HonorData,
    TalentData,
    talent_data_of,
)

_SCALARS = (
    "name",
    "employer",
    "employer_uscc",
    "occupation",
    "skill_level",
    "card_no",
    "frontline_since",
)


def expected_version(if_match: str | None) -> int:
    """The version an `If-Match` header names: 428 without one, 412 for a foreign tag."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "修改人才记录须带 If-Match 请求头（取自详情的 ETag），以免覆盖他人的修改。"
        )
    tag = if_match.strip()
    if tag == "*":
        raise PreconditionRequired("If-Match 须为详情返回的具体 ETag，不接受 *。")
    if len(tag) < 3 or not (tag.startswith('"') and tag.endswith('"')) or not tag[1:-1].isdigit():
        raise PreconditionFailed("If-Match 与该记录的当前版本不符，请重新获取详情后再修改。")
    return int(tag[1:-1])


def edit_talent(
    session: Session,
    actor: Actor,
    talent: Talent,
    edit: Mapping[str, Any],
    *,
    version: int,
    today: date,
) -> dict[str, list[Any]]:
    """Apply `edit` (the fields given, as plain data) when the record is still at `version`."""
    session.refresh(talent, with_for_update=True)
    if talent.version != version:
        raise PreconditionFailed("该记录已被他人修改，请重新获取详情后再修改。")
    _check_codes(session, talent, edit)
    current = talent_data_of(talent, get_keyring())
    return service.update_talent(
        session, actor, talent, _merged(current, talent, edit), today=today
    )


def retire_talent(
    session: Session, actor: Actor, talent: Talent, *, reason: str, version: int, today: date
) -> None:
    """Take the record off the register by hand (退出), when it is still at `version`: the
    marker is withdrawn with the reason, as a city's retirement row does."""
    session.refresh(talent, with_for_update=True)
    if talent.version != version:
        raise PreconditionFailed("该记录已被他人修改，请重新获取详情后再修改。")
    if talent.status != STATUS_FILED:
        raise Conflict("该人员已退出人才库。", code="talent_retired")
    service.retire_talent(session, actor, talent, reason=reason, submission_id=None, today=today)
    try:
        session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("该记录已被他人修改，请刷新后重试。") from exc
    audit.record(
        session,
        actor,
        "talent.retire",
        f"talent:{talent.id}",
        {"reason": reason, "version": talent.version},
    )


def _check_codes(session: Session, talent: Talent, edit: Mapping[str, Any]) -> None:
    """Honours and dependents name codes of the province's lists: an active one, or one the
    record already holds (a code deactivated since stays on the records filed with it)."""
    errors: list[dict[str, str]] = []
    categories = {h.category for h in talent.honors}
    relations = {d.relation for d in talent.dependents}
    for group, key, kind, label, held in (
        ("honors", "category", "categories", "人才类别", categories),
        ("dependents", "relation", "relations", "家属关系", relations),
    ):
        allowed = active_codes(session.connection(), kind) | held
        for i, item in enumerate(edit.get(group) or ()):
            if item[key] not in allowed:
                message = f"{label}「{item[key]}」不在本省{label}清单中（或已停用）"
                errors.append(field_error(f"{group}.{i}.{key}", "invalid_code", message))
    if errors:
        raise InvalidInput("；".join(e["message"] for e in errors), errors=errors)


def _merged(current: TalentData, talent: Talent, edit: Mapping[str, Any]) -> TalentData:
    fields: dict[str, Any] = {name: edit[name] for name in _SCALARS if name in edit}
    if edit.get("conditions") is not None:
        conditions = dict(current.conditions)
        for code, given in edit["conditions"].items():
            conditions[str(code)] = (bool(given["met"]), given.get("note"))
        fields["conditions"] = conditions
    if edit.get("honors") is not None:
        fields["honors"] = tuple(
            HonorData(
                category=str(h["category"]),
                title=h.get("title"),
                conferred_by=h.get("conferred_by"),
                year=h.get("year"),
                certificate_no=h.get("certificate_no"),
            )
            for h in edit["honors"]
        )
    if edit.get("dependents") is not None:
        fields["dependents"] = _dependents(current, talent, edit["dependents"])
    return dataclasses.replace(current, **fields)


def _dependents(
    current: TalentData, talent: Talent, given: list[Mapping[str, Any]]
) -> tuple[DependentData, ...]:
    keyring = get_keyring()
    stored = {d.id: d for d in talent.dependents}
    result: list[DependentData] = []
    errors: list[dict[str, str]] = []
    for i, item in enumerate(given):
        number = item.get("id_number")
        if item.get("id") is not None:
            kept = stored.get(item["id"])
            if kept is None:
                errors.append(
                    field_error(f"dependents.{i}.id", "unknown_dependent", "该家属记录不存在")
                )
                continue
            number = keyring.decrypt(kept.id_cipher, context=DEPENDENT_ID_CONTEXT)
        if number == current.id_number:
            errors.append(
                field_error(f"dependents.{i}", "dependent_is_talent", "家属不能是人才本人")
            )
        elif any(number == other.id_number for other in result):
            errors.append(field_error(f"dependents.{i}", "duplicate_dependent", "家属重复登记"))
        else:
            result.append(DependentData(str(item["relation"]), str(number), str(item["name"])))
    if errors:
        raise InvalidInput(
            "家属信息有误：" + "；".join(e["message"] for e in errors), errors=errors
        )
    return tuple(result)
