"""Filing records into the registry: store, decide eligibility, settle the marker, keep history.

Services flush only where they must (an admin edit, to turn a lost race into 412); the
caller commits. `file_record` is the hot path of an approval (100,000 rows in one
transaction): it never selects, flushes or writes an audit event per row. The caller
preloads existing records with `talents_by_hash` and writes one audit event per submission.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.core import audit
from app.core.audit import Actor
from app.core.crypto import KeyRing
from app.core.errors import PreconditionFailed
from app.core.keys import get_keyring
from app.registry import markers
from app.registry.codes import Condition
from app.registry.diffs import STATUS_FILED, STATUS_RETIRED, record_changes
from app.registry.eligibility import ConditionInput, Decision, EligibilityInput, HonorInput, decide
from app.registry.history import record_version
from app.registry.identifiers import gender_of
from app.registry.models import Dependent, Honor, Talent
from app.registry.records import DEPENDENT_ID_CONTEXT, TALENT_ID_CONTEXT, TalentData

effective_status = markers.effective_status

_CHUNK = 500
T = TypeVar("T")


def talents_by_hash(session: Session, id_hashes: Collection[str]) -> dict[str, Talent]:
    """Existing records by blind index, with honours, dependents and marker loaded."""
    found: dict[str, Talent] = {}
    for chunk in _chunks(list(dict.fromkeys(id_hashes)), _CHUNK):
        rows = session.scalars(
            select(Talent)
            .where(Talent.id_hash.in_(chunk))
            .options(
                selectinload(Talent.honors),
                selectinload(Talent.dependents),
                selectinload(Talent.marker),
            )
        )
        found.update((talent.id_hash, talent) for talent in rows)
    return found


def decide_for(data: TalentData, *, retired: bool = False) -> Decision:
    """The eligibility of a record: the only bridge from registry data to `eligibility.decide`."""
    return decide(
        EligibilityInput(
            conditions={
                str(code): ConditionInput(bool(met), note)
                for code, (met, note) in data.conditions.items()
            },
            honors=[
                HonorInput(str(h.category), h.title, h.year, h.certificate_no) for h in data.honors
            ],
            retired=retired,
        )
    )


def changes(talent: Talent | None, data: TalentData) -> dict[str, list[Any]]:
    """`field -> [before, after]` that filing `data` would make; ID numbers masked; `{}` if none."""
    return record_changes(talent, data, get_keyring())


def file_record(
    session: Session,
    actor: Actor,
    data: TalentData,
    *,
    city_code: str,
    existing: Talent | None,
    submission_id: uuid.UUID | None,
    today: date,
) -> Talent:
    """Create or update a record from a filing, re-decide eligibility and settle the marker.

    A filing renews the marker of an eligible record (review date = today + the review
    period) and withdraws it from a record that no longer qualifies. Keeps a version.
    """
    keyring = get_keyring()
    diff = record_changes(existing, data, keyring)
    if existing is None:
        talent = _new_talent(data, city_code, today, keyring)
        session.add(talent)
        action = "create"
    else:
        talent = existing
        if talent.city_code != city_code:
            diff["city_code"] = [talent.city_code, city_code]
            talent.city_code = city_code
        action = "update" if diff else "refile"
    talent.filed_on = today
    talent.last_submission_id = submission_id
    diff.update(_store(talent, data, diff, keyring, today=today, renew=True))
    record_version(session, actor, talent, action=action, changes=diff, submission_id=submission_id)
    return talent


def update_talent(
    session: Session, actor: Actor, talent: Talent, data: TalentData, *, today: date
) -> dict[str, list[Any]]:
    """A province admin's correction: like a filing, but it does not renew the review date.

    Flushes, so a concurrent edit that won first fails here (412), not at commit.
    """
    keyring = get_keyring()
    diff = record_changes(talent, data, keyring)
    diff.pop("status", None)  # an edit corrects a record; it does not bring back a retiree
    if not diff:
        return diff
    diff.update(_store(talent, data, diff, keyring, today=today, renew=False))
    record_version(session, actor, talent, action="update", changes=diff)
    try:
        session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("该记录已被他人修改，请刷新后重试。") from exc
    audit.record(
        session,
        actor,
        "talent.update",
        f"talent:{talent.id}",
        {"fields": sorted(diff), "version": talent.version},
    )
    return diff


def retire_talent(
    session: Session,
    actor: Actor,
    talent: Talent,
    *,
    reason: str,
    submission_id: uuid.UUID | None,
    today: date,
) -> None:
    """Take the person off the register (退出) and withdraw the marker with the reason."""
    diff: dict[str, list[Any]] = {}
    if talent.status != STATUS_RETIRED:
        diff["status"] = [talent.status, STATUS_RETIRED]
    if talent.retired_reason != reason:
        diff["retired_reason"] = [talent.retired_reason, reason]
    if talent.eligible:
        diff["eligible"] = [True, False]
    talent.status = STATUS_RETIRED
    talent.retired_reason = reason
    talent.eligible = False
    talent.filed_on = today
    talent.last_submission_id = submission_id
    diff.update(
        markers.settle_marker(
            talent, eligible=False, withdraw_reason=f"已退出：{reason}", today=today, renew=False
        )
    )
    record_version(
        session,
        actor,
        talent,
        action="retire",
        changes=diff,
        submission_id=submission_id,
        reason=reason,
    )


def _store(
    talent: Talent,
    data: TalentData,
    diff: dict[str, list[Any]],
    keyring: KeyRing,
    *,
    today: date,
    renew: bool,
) -> dict[str, list[Any]]:
    """Write `data` onto `talent`, decide, settle the marker; the eligibility/marker changes."""
    for name in ("name", "employer", "employer_uscc", "occupation", "skill_level", "card_no"):
        value = getattr(data, name)
        setattr(talent, name, str(value) if value is not None else None)
    talent.frontline_since = data.frontline_since
    for condition in Condition:
        met, note = data.conditions.get(condition, (False, None))
        setattr(talent, f"{condition}_met", bool(met))
        setattr(talent, f"{condition}_note", note)
    if "honors" in diff:
        talent.honors = [
            Honor(
                position=i,
                category=str(h.category),
                title=h.title,
                conferred_by=h.conferred_by,
                year=h.year,
                certificate_no=h.certificate_no,
            )
            for i, h in enumerate(data.honors)
        ]
    if "dependents" in diff:
        talent.dependents = [
            Dependent(
                position=i,
                relation=str(d.relation),
                id_hash=keyring.blind_index(d.id_number),
                id_cipher=keyring.encrypt(d.id_number, context=DEPENDENT_ID_CONTEXT),
                name=d.name,
            )
            for i, d in enumerate(data.dependents)
        ]
    retired = talent.status == STATUS_RETIRED and "status" not in diff
    if not retired:
        talent.status = STATUS_FILED
        talent.retired_reason = None
    decision = decide_for(data, retired=retired)
    extra: dict[str, list[Any]] = {}
    if talent.eligible is not None and talent.eligible != decision.eligible:
        extra["eligible"] = [talent.eligible, decision.eligible]
    talent.eligible = decision.eligible
    talent.rules_version = decision.rules_version
    extra.update(
        markers.settle_marker(
            talent,
            eligible=decision.eligible,
            withdraw_reason=decision.summary_zh,
            today=today,
            renew=renew,
        )
    )
    return extra


def _new_talent(data: TalentData, city_code: str, today: date, keyring: KeyRing) -> Talent:
    return Talent(
        id=uuid.uuid4(),
        id_hash=keyring.blind_index(data.id_number),
        id_cipher=keyring.encrypt(data.id_number, context=TALENT_ID_CONTEXT),
        gender=gender_of(data.id_number),
        city_code=city_code,
        status=STATUS_FILED,
        first_filed_on=today,
        version=0,
        honors=[],
        dependents=[],
    )


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
