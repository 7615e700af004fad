"""The history of a record: one TalentVersion per change to the record or its marker."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import Actor
from app.core.types import utcnow
from app.registry.models import Talent, TalentVersion

SOURCE_SUBMISSION = "submission"
SOURCE_ADMIN = "admin"


def record_version(
    session: Session,
    actor: Actor,
    talent: Talent,
    *,
    action: str,
    changes: Mapping[str, list[Any]],
    submission_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> TalentVersion:
    """Bump a loaded record's version (its ETag) and keep what changed, who, when and why."""
    talent.version = (talent.version or 0) + 1
    version = TalentVersion(
        **version_row(
            actor,
            talent.id,
            talent.version,
            action=action,
            changes=changes,
            submission_id=submission_id,
            reason=reason,
        )
    )
    session.add(version)
    return version


def version_row(
    actor: Actor,
    talent_id: uuid.UUID,
    version: int,
    *,
    action: str,
    changes: Mapping[str, list[Any]],
    submission_id: uuid.UUID | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The TalentVersion row of the record's change to `version`, made `at` (default: now).

    `changes` holds `field -> [before, after]` with ID numbers already masked. The source is
    the submission when one is given, else an admin action.
    """
    return {
        "talent_id": talent_id,
        "version": version,
        "occurred_at": at or utcnow(),
        "actor": actor.actor_id,
        "source": SOURCE_SUBMISSION if submission_id is not None else SOURCE_ADMIN,
        "submission_id": submission_id,
        "action": action,
        "reason": reason,
        "changes": dict(changes),
    }


def versions_of(session: Session, talent_id: uuid.UUID) -> Sequence[TalentVersion]:
    """The record's versions, newest first."""
    return session.scalars(
        select(TalentVersion)
        .where(TalentVersion.talent_id == talent_id)
        .order_by(TalentVersion.version.desc())
    ).all()
