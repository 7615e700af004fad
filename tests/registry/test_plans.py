"""`plan_filing`: what filing a person will do, decided once; the approval does what the
preview showed."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import SYSTEM
from app.core.keys import get_keyring
from app.registry import service
from app.registry.identifiers import mask_id_number
from app.registry.models import TalentVersion
from app.registry.pending import PendingWrites
from app.registry.plans import Retiring, plan_filing
from app.registry.records import DependentData
from tests.registry.factories import HEFEI, TODAY, WUHU, file, talent_data, with_condition


def test_a_new_person_is_created_with_their_fields_masked(db: Session) -> None:
    data = talent_data(dependents=())
    plan = plan_filing(None, data, city_code=HEFEI, keyring=get_keyring(), categories={})
    assert plan.action == "create"
    assert plan.changes["id_number"] == [None, mask_id_number(data.id_number)]
    assert plan.changes["name"] == [None, data.name]
    assert plan.decision.eligible


def test_an_unchanged_record_is_refiled_unchanged(db: Session) -> None:
    data = talent_data()
    talent = file(db, data)
    plan = plan_filing(talent, data, city_code=HEFEI, keyring=get_keyring(), categories={})
    assert (plan.action, plan.changes) == ("unchanged", {})


def test_a_changed_record_is_updated_with_id_numbers_masked(db: Session) -> None:
    data = talent_data(dependents=())
    talent = file(db, data)
    child = DependentData("child", "340102201001010012", "小明")
    edited = dataclasses.replace(data, employer="新单位", dependents=(child,))
    plan = plan_filing(talent, edited, city_code=HEFEI, keyring=get_keyring(), categories={})
    assert plan.action == "update"
    assert plan.changes["employer"] == [data.employer, "新单位"]
    assert plan.changes["dependents"] == [
        [],
        [{"relation": "child", "name": "小明", "id_number": "340102**********12"}],
    ]
    assert "340102201001010012" not in json.dumps(plan.changes)


def test_a_person_another_city_retired_moves_to_the_filing_city(db: Session) -> None:
    data = talent_data()
    talent = file(db, data, city_code=WUHU)
    service.retire_talent(db, SYSTEM, talent, reason="调出", submission_id=None, today=TODAY)
    plan = plan_filing(talent, data, city_code=HEFEI, keyring=get_keyring(), categories={})
    assert plan.action == "update"
    assert plan.changes == {"status": ["retired", "filed"], "city_code": [WUHU, HEFEI]}


def test_a_retirement_takes_the_person_off_and_says_why_they_are_not_eligible(
    db: Session,
) -> None:
    talent = file(db, talent_data())
    plan = plan_filing(
        talent, Retiring("退休"), city_code=HEFEI, keyring=get_keyring(), categories={}
    )
    assert plan.action == "retire"
    assert plan.changes == {
        "status": ["filed", "retired"],
        "retired_reason": [None, "退休"],
        "eligible": [True, False],
    }
    assert not plan.decision.eligible and plan.decision.summary_zh
    assert plan.name == talent.name


def test_retiring_someone_already_retired_changes_nothing(db: Session) -> None:
    talent = file(db, talent_data())
    service.retire_talent(db, SYSTEM, talent, reason="退休", submission_id=None, today=TODAY)
    version = talent.version
    plan = plan_filing(
        talent, Retiring("另一个原因"), city_code=HEFEI, keyring=get_keyring(), categories={}
    )
    assert (plan.action, plan.changes) == ("unchanged", {})
    service.retire_talent(db, SYSTEM, talent, reason="另一个原因", submission_id=None, today=TODAY)
    db.flush()
    assert (talent.version, talent.retired_reason) == (version, "退休")


def test_there_is_no_plan_to_retire_someone_not_on_the_register() -> None:
    with pytest.raises(ValueError, match="no record to retire"):
        plan_filing(None, Retiring("退休"), city_code=HEFEI, keyring=get_keyring(), categories={})


@pytest.mark.parametrize("eligible_after", [True, False])
def test_filing_records_the_changes_and_eligibility_the_plan_showed(
    db: Session, eligible_after: bool
) -> None:
    data = talent_data()
    talent = file(db, data)
    edited = dataclasses.replace(data, occupation="焊工")
    if not eligible_after:
        edited = with_condition(edited, "frontline", False, "已调离一线")
    plan = plan_filing(talent, edited, city_code=HEFEI, keyring=get_keyring(), categories={})
    planned = dict(plan.changes)

    file(db, edited, today=TODAY + timedelta(days=1))

    version = db.scalars(
        select(TalentVersion)
        .where(TalentVersion.talent_id == talent.id)
        .order_by(TalentVersion.version.desc())
        .limit(1)
    ).one()
    recorded = {
        field: change
        for field, change in version.changes.items()
        if not field.startswith("marker.") and field != "eligible"
    }
    assert recorded == planned
    assert talent.eligible is plan.decision.eligible is eligible_after


def test_a_planned_filing_is_written_where_the_filing_writes_its_queue(db: Session) -> None:
    data = talent_data()
    id_hash = get_keyring().blind_index(data.id_number)
    queue = PendingWrites()
    plan = plan_filing(None, data, city_code=HEFEI, keyring=get_keyring(), categories={})
    service.file_planned(db, queue, SYSTEM, plan, city_code=HEFEI, submission_id=None, today=TODAY)
    db.flush()
    assert service.talents_by_hash(db, [id_hash]) == {}  # no statement writes it on the side

    queue.write(db)

    assert service.talents_by_hash(db, [id_hash])[id_hash].name == data.name
