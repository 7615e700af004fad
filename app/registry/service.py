"""Filing records into the registry: store, decide eligibility, settle the marker, keep history.

Services flush only where they must (an admin edit, to turn a lost race into 412); the
caller commits. `file_planned` is the hot path of an approval (100,000 rows in one
transaction): it never selects, flushes or writes an audit event per row, and queues the
rows for the caller to write in bulk (`pending`). The caller preloads existing records with
`talents_by_hash`, plans each (`plans.plan_filing`) and writes one audit event per submission.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.core import audit
from app.core.audit import Actor
from app.core.crypto import KeyRing
from app.core.errors import PreconditionFailed
from app.core.keys import get_keyring
from app.core.reference import refresh_labels
from app.registry import bulk, markers, outputs
from app.registry.diffs import STATUS_RETIRED, record_changes
from app.registry.eligibility import AddedCategories
from app.registry.history import record_version
from app.registry.models import Dependent, Honor, Talent
from app.registry.pending import PendingWrites
from app.registry.plans import FilingPlan, Retiring, plan_filing
from app.registry.records import (
    Filed,
    TalentData,
    added_categories,
    decide_for,
    talent_data_of,
)
from app.registry.schemas import TalentDetail

effective_status = markers.effective_status

_CHUNK = 500
T = TypeVar("T")


def talents_by_hash(session: Session, id_hashes: Collection[str]) -> dict[str, Talent]:
    """Existing records by blind index, with honours, dependents and marker loaded."""
    found: dict[str, Talent] = {}
    for chunk in _chunks(list(dict.fromkeys(id_hashes)), _CHUNK):
        _load_chunk(session, chunk, found)
    return found


def talent_detail(session: Session, talent: Talent) -> TalentDetail:
    """A record as its readers see it, with the eligibility explanation decided now."""
    keyring = get_keyring()
    connection = session.connection()
    refresh_labels(connection, "relations")  # a relation the province added shows its name
    decision = decide_for(
        talent_data_of(talent, keyring),
        categories=added_categories(connection),
        retired=talent.status == STATUS_RETIRED,
    )
    return outputs.talent_detail(talent, decision, keyring, markers.local_today())


def file_record(
    session: Session,
    actor: Actor,
    data: TalentData,
    *,
    city_code: str,
    existing: Talent | None,
    submission_id: uuid.UUID | None,
    today: date,
) -> Filed:
    """File one record now: plan it, carry the plan out and write its rows."""
    queue = PendingWrites()
    plan = plan_filing(
        existing,
        data,
        city_code=city_code,
        keyring=get_keyring(),
        categories=added_categories(session.connection()),
    )
    filed = _queue_filing(
        queue, actor, plan, data, city_code=city_code, submission_id=submission_id, today=today
    )
    queue.write(session)
    return filed


def file_planned(
    session: Session,
    queue: PendingWrites,
    actor: Actor,
    plan: FilingPlan,
    *,
    city_code: str,
    submission_id: uuid.UUID | None,
    today: date,
) -> None:
    """Carry out `plan` (`plans.plan_filing`, made on the record as it stands). A filed
    record's rows go into `queue`, for the caller to write (`PendingWrites.write`) before
    anything that reads them; a retirement changes the loaded record, flushed with the
    session. The marker is settled as of `today`: renewed if the person is eligible,
    withdrawn if not."""
    if isinstance(plan.filed, Retiring):
        if plan.action == "retire":
            _retire(session, actor, plan, submission_id=submission_id, today=today)
        return
    _queue_filing(
        queue,
        actor,
        plan,
        plan.filed,
        city_code=city_code,
        submission_id=submission_id,
        today=today,
    )


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
    categories = added_categories(session.connection())
    diff.update(_store(talent, data, diff, keyring, categories, today=today))
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
    plan = plan_filing(
        talent,
        Retiring(reason),
        city_code=talent.city_code,
        keyring=get_keyring(),
        categories=added_categories(session.connection()),
    )
    file_planned(
        session,
        PendingWrites(),
        actor,
        plan,
        city_code=talent.city_code,
        submission_id=submission_id,
        today=today,
    )


def _queue_filing(
    queue: PendingWrites,
    actor: Actor,
    plan: FilingPlan,
    data: TalentData,
    *,
    city_code: str,
    submission_id: uuid.UUID | None,
    today: date,
) -> Filed:
    keyring = get_keyring()
    if plan.talent is None:
        return bulk.create_rows(
            queue,
            actor,
            data,
            plan.decision,
            plan.changes,
            keyring,
            city_code=city_code,
            submission_id=submission_id,
            today=today,
        )
    return bulk.refile_rows(
        queue,
        actor,
        plan.talent,
        data,
        plan.decision,
        plan.changes,
        keyring,
        city_code=city_code,
        submission_id=submission_id,
        today=today,
    )


def _retire(
    session: Session,
    actor: Actor,
    plan: FilingPlan,
    *,
    submission_id: uuid.UUID | None,
    today: date,
) -> None:
    talent, reason = plan.talent, cast(Retiring, plan.filed).reason
    assert talent is not None  # a retirement plans on a record
    diff = dict(plan.changes)
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
    categories: AddedCategories,
    *,
    today: date,
) -> dict[str, list[Any]]:
    """Write `data` onto a loaded record, decide, settle the marker (an admin's edit)."""
    for name, value in bulk.record_values(data).items():
        if getattr(talent, name) != value:
            setattr(talent, name, value)
    if "honors" in diff:
        talent.honors = [Honor(**row) for row in bulk.honor_rows(talent.id, data)]
    if "dependents" in diff:
        talent.dependents = [
            Dependent(**row) for row in bulk.dependent_rows(talent.id, data, keyring)
        ]
    decision = decide_for(data, categories=categories, retired=talent.status == STATUS_RETIRED)
    extra: dict[str, list[Any]] = {}
    if talent.eligible != decision.eligible:
        extra["eligible"] = [talent.eligible, decision.eligible]
    talent.eligible = decision.eligible
    talent.rules_version = decision.rules_version
    extra.update(
        markers.settle_marker(
            talent,
            eligible=decision.eligible,
            withdraw_reason=decision.summary_zh,
            today=today,
            renew=False,
        )
    )
    return extra


def _load_chunk(session: Session, chunk: Sequence[str], found: dict[str, Talent]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: 500 placeholders made a statement too long for psycopg to
        # cache (a 100,000-row filing loads 200 slices; half the time of each load).
        among = Talent.id_hash == any_(bindparam("hashes", list(chunk), type_=ARRAY(String)))
    else:
        among = Talent.id_hash.in_(chunk)
    rows = session.scalars(
        select(Talent)
        .where(among)
        .options(
            selectinload(Talent.honors),
            selectinload(Talent.dependents),
            selectinload(Talent.marker),
        )
    )
    found.update((talent.id_hash, talent) for talent in rows)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
