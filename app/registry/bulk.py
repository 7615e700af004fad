"""Filing a record as rows: the fast path behind `service.file_planned`.

Computes what the record, its marker, honours, dependents and version become, from the
plan's changes and eligibility (`plans`), and queues the rows (`pending`). A loaded record
is only read here, never modified in memory, so the unit of work has nothing to flush for
it; the queue expires it once written.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.core.audit import Actor
from app.core.crypto import KeyRing
from app.core.types import time_ordered_uuid
from app.registry.codes import CONDITIONS
from app.registry.diffs import STATUS_FILED
from app.registry.eligibility import Decision
from app.registry.history import version_row
from app.registry.identifiers import gender_of
from app.registry.markers import marker_changes, marker_values, settle
from app.registry.models import Talent
from app.registry.pending import PendingWrites
from app.registry.records import DEPENDENT_ID_CONTEXT, TALENT_ID_CONTEXT, Filed, TalentData


def record_values(data: TalentData) -> dict[str, Any]:
    """The talent columns that filed data sets directly."""
    values: dict[str, Any] = {
        name: None if getattr(data, name) is None else str(getattr(data, name))
        for name in ("name", "employer", "employer_uscc", "occupation", "skill_level", "card_no")
    }
    values["frontline_since"] = data.frontline_since
    for condition in CONDITIONS:
        met, note = data.conditions.get(condition, (False, None))
        values[f"{condition}_met"] = bool(met)
        values[f"{condition}_note"] = note
    return values


def honor_rows(talent_id: uuid.UUID, data: TalentData) -> list[dict[str, Any]]:
    return [
        {
            "talent_id": talent_id,
            "position": i,
            "category": str(h.category),
            "title": h.title,
            "conferred_by": h.conferred_by,
            "year": h.year,
            "certificate_no": h.certificate_no,
        }
        for i, h in enumerate(data.honors)
    ]


def dependent_rows(
    talent_id: uuid.UUID, data: TalentData, keyring: KeyRing
) -> list[dict[str, Any]]:
    return [
        {
            "talent_id": talent_id,
            "position": i,
            "relation": str(d.relation),
            "id_hash": keyring.blind_index(d.id_number),
            "id_cipher": keyring.encrypt(d.id_number, context=DEPENDENT_ID_CONTEXT),
            "name": d.name,
        }
        for i, d in enumerate(data.dependents)
    ]


def create_rows(
    queue: PendingWrites,
    actor: Actor,
    data: TalentData,
    decision: Decision,
    planned: dict[str, list[Any]],
    keyring: KeyRing,
    *,
    city_code: str,
    submission_id: uuid.UUID | None,
    today: date,
) -> Filed:
    talent_id, now = time_ordered_uuid(), queue.now
    marker = settle(
        None, eligible=decision.eligible, withdraw_reason="", today=today, renew=True, now=now
    )
    queue.insert(
        "talent",
        {
            "id": talent_id,
            "id_hash": keyring.blind_index(data.id_number),
            "id_cipher": keyring.encrypt(data.id_number, context=TALENT_ID_CONTEXT),
            "gender": gender_of(data.id_number),
            "city_code": city_code,
            **record_values(data),
            "status": STATUS_FILED,
            "retired_reason": None,
            "eligible": decision.eligible,
            "rules_version": decision.rules_version,
            "first_filed_on": today,
            "filed_on": today,
            "last_submission_id": submission_id,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        },
    )
    if marker is not None:
        queue.insert("marker", {**marker, "talent_id": talent_id})
    for row in honor_rows(talent_id, data):
        queue.insert("honor", row)
    for row in dependent_rows(talent_id, data, keyring):
        queue.insert("dependent", row)
    changes = planned | marker_changes(None, marker)
    _queue_version(queue, actor, talent_id, 1, "create", changes, submission_id)
    return _filed(talent_id, "create", 1, decision, marker)


def refile_rows(
    queue: PendingWrites,
    actor: Actor,
    talent: Talent,
    data: TalentData,
    decision: Decision,
    planned: dict[str, list[Any]],
    keyring: KeyRing,
    *,
    city_code: str,
    submission_id: uuid.UUID | None,
    today: date,
) -> Filed:
    changes = dict(planned)
    action = "update" if changes else "refile"
    if talent.eligible != decision.eligible:
        changes["eligible"] = [talent.eligible, decision.eligible]
    before = marker_values(talent.marker)
    marker = settle(
        before,
        eligible=decision.eligible,
        withdraw_reason=decision.summary_zh,
        today=today,
        renew=True,
        now=queue.now,
    )
    changes.update(marker_changes(before, marker))
    version = talent.version + 1
    values = {
        **record_values(data),
        "city_code": city_code,
        "status": STATUS_FILED,
        "retired_reason": None,
        "eligible": decision.eligible,
        "rules_version": decision.rules_version,
        "filed_on": today,
        "last_submission_id": submission_id,
        "version": version,
        "updated_at": queue.now,
    }
    queue.update_talent(talent.id, talent.version, values)
    if marker is not None and before is None:
        queue.insert("marker", {**marker, "talent_id": talent.id})
    elif marker is not None and marker != before:
        queue.update_marker(marker["id"], {k: v for k, v in marker.items() if k != "id"})
    if "honors" in changes:
        queue.replace_children("honor", talent.id, honor_rows(talent.id, data))
    if "dependents" in changes:
        queue.replace_children("dependent", talent.id, dependent_rows(talent.id, data, keyring))
    _queue_version(queue, actor, talent.id, version, action, changes, submission_id)
    queue.expire_after_write(talent, talent.marker)
    return _filed(talent.id, action, version, decision, marker)


def _queue_version(
    queue: PendingWrites,
    actor: Actor,
    talent_id: uuid.UUID,
    version: int,
    action: str,
    changes: dict[str, list[Any]],
    submission_id: uuid.UUID | None,
) -> None:
    row = version_row(
        actor,
        talent_id,
        version,
        action=action,
        changes=changes,
        submission_id=submission_id,
        at=queue.now,
    )
    queue.insert("talent_version", row)


def _filed(
    talent_id: uuid.UUID,
    action: str,
    version: int,
    decision: Decision,
    marker: dict[str, Any] | None,
) -> Filed:
    return Filed(
        talent_id=talent_id,
        action=action,
        version=version,
        eligible=decision.eligible,
        marker_code=marker["code"] if marker else None,
        marker_status=marker["status"] if marker else None,
    )
