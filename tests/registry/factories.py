"""Filed records for registry tests, from the demo's deterministic fakes."""

from __future__ import annotations

import dataclasses
import itertools
import random
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import SYSTEM, Actor
from app.core.keys import get_keyring
from app.demo.fakes import fake_talent_record
from app.registry import service
from app.registry.markers import CHINA_STANDARD_TIME
from app.registry.models import Talent, TalentVersion
from app.registry.records import DependentData, HonorData, TalentData

HEFEI = "340100"
WUHU = "340200"
TODAY = date(2026, 11, 24)
_seeds = itertools.count(1000)


def record_dict(*, city_code: str = HEFEI, eligible: bool = True) -> dict[str, Any]:
    """A contract-shaped filing record of a new invented person."""
    return fake_talent_record(random.Random(next(_seeds)), city_code=city_code, eligible=eligible)


def talent_data(*, city_code: str = HEFEI, **changes: Any) -> TalentData:
    """An eligible record (all conditions with notes, at least one honour), then `changes`."""
    return dataclasses.replace(data_from_record(record_dict(city_code=city_code)), **changes)


def data_from_record(record: dict[str, Any]) -> TalentData:
    return TalentData(
        id_number=record["id_number"],
        name=record["name"],
        employer=record["employer"],
        employer_uscc=record["employer_uscc"],
        occupation=record["occupation"],
        skill_level=record["skill_level"],
        card_no=record["card_no"],
        frontline_since=record["frontline_since"],
        conditions={
            code: (value["met"], value["note"]) for code, value in record["conditions"].items()
        },
        honors=tuple(HonorData(**honor) for honor in record["honors"]),
        dependents=tuple(DependentData(**dependent) for dependent in record["dependents"]),
    )


def with_condition(data: TalentData, code: str, met: bool, note: str | None) -> TalentData:
    return dataclasses.replace(data, conditions={**data.conditions, code: (met, note)})


def file(
    db: Session,
    data: TalentData,
    *,
    city_code: str = HEFEI,
    today: date = TODAY,
    actor: Actor = SYSTEM,
) -> Talent:
    """File `data` as an approval would: preload in bulk, file; then commit (in the test's
    outer transaction, so a refused request's rollback keeps it) and return the stored record."""
    id_hash = get_keyring().blind_index(data.id_number)
    service.file_record(
        db,
        actor,
        data,
        city_code=city_code,
        existing=service.talents_by_hash(db, [id_hash]).get(id_hash),
        submission_id=uuid.uuid4(),
        today=today,
    )
    db.commit()
    return service.talents_by_hash(db, [id_hash])[id_hash]


def backdate_newest_change(db: Session, talent: Talent, day: date, hour: int = 10) -> None:
    """Move the record's newest change to `day` (China time): its history as if lived."""
    newest = db.scalars(
        select(TalentVersion)
        .where(TalentVersion.talent_id == talent.id)
        .order_by(TalentVersion.version.desc())
    ).first()
    assert newest is not None
    newest.occurred_at = datetime.combine(day, time(hour), CHINA_STANDARD_TIME).astimezone(UTC)
    db.commit()
