"""Filing through the service: eligibility, the marker's grant, renewal, withdrawal, history."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import SYSTEM
from app.core.keys import get_keyring
from app.registry import service
from app.registry.codes import Category, Condition
from app.registry.models import TalentVersion
from app.registry.records import HonorData
from tests.registry.factories import TODAY, WUHU, file, talent_data, with_condition

NOTE = "有书面说明"


def _honor(category: str) -> HonorData:
    return HonorData(category, "荣誉", "授予机关", 2015, "C-001")


ELIGIBILITY_CASES = [
    *[
        pytest.param({}, (_honor(c),), True, id=f"category-{c}")
        for c in Category  # the six and the state merit honour each suffice
    ],
    *[
        pytest.param({c: (False, NOTE)}, (_honor("china_skills_award"),), False, id=f"unmet-{c}")
        for c in Condition
    ],
    *[
        pytest.param({c: (True, "  ")}, (_honor("china_skills_award"),), False, id=f"no-note-{c}")
        for c in Condition
    ],
    pytest.param({}, (), False, id="no-honour"),
    pytest.param({}, (_honor("provincial_model_worker"),), False, id="honour-outside-categories"),
    pytest.param(
        {},
        (_honor("provincial_model_worker"), _honor("special_allowance")),
        True,
        id="one-qualifying-honour-among-others",
    ),
]


@pytest.mark.parametrize(("conditions", "honors", "eligible"), ELIGIBILITY_CASES)
def test_eligibility_decides_the_marker(
    db: Session, conditions: dict[str, tuple[bool, str]], honors: tuple[HonorData], eligible: bool
) -> None:
    base = talent_data(honors=honors)
    data = dataclasses.replace(base, conditions={**base.conditions, **conditions})
    talent = file(db, data)
    assert talent.eligible is eligible
    assert service.decide_for(data, categories={}).eligible is eligible
    assert (talent.marker is not None) is eligible
    assert talent.rules_version == service.decide_for(data, categories={}).rules_version


def test_eligible_record_gets_an_active_random_marker_for_the_review_period(db: Session) -> None:
    talent = file(db, talent_data())
    marker = talent.marker
    assert marker is not None
    assert re.fullmatch(r"LT-[0-9A-HJKMNP-TV-Z]{12}", marker.code)
    assert marker.status == "active"
    assert marker.granted_on == TODAY
    assert marker.valid_until == TODAY.replace(year=TODAY.year + 3)
    assert service.effective_status(marker, TODAY) == "active"


def test_marker_codes_are_distinct_per_record(db: Session) -> None:
    codes = {file(db, talent_data()).marker.code for _ in range(20)}  # type: ignore[union-attr]
    assert len(codes) == 20


def test_refiling_renews_the_review_date_and_keeps_the_code(db: Session) -> None:
    data = talent_data()
    first = file(db, data)
    code = first.marker.code  # type: ignore[union-attr]
    later = TODAY + timedelta(days=400)
    again = file(db, data, today=later)
    assert again is first
    assert again.marker.code == code  # type: ignore[union-attr]
    assert again.marker.valid_until == later.replace(year=later.year + 3)  # type: ignore[union-attr]
    assert again.marker.granted_on == TODAY  # type: ignore[union-attr]
    assert again.filed_on == later and again.first_filed_on == TODAY


def test_marker_expires_after_valid_until(db: Session) -> None:
    marker = file(db, talent_data()).marker
    assert marker is not None
    assert service.effective_status(marker, marker.valid_until) == "active"
    assert service.effective_status(marker, marker.valid_until + timedelta(days=1)) == "expired"


def test_filing_an_ineligible_change_withdraws_the_marker_with_the_reason(db: Session) -> None:
    data = talent_data()
    talent = file(db, data)
    file(db, with_condition(data, "frontline", False, "已调离一线"))
    marker = talent.marker
    assert marker is not None and marker.status == "revoked"
    assert marker.reason is not None and "长期坚守在生产服务一线岗位工作" in marker.reason
    assert talent.eligible is False


def test_eligible_again_gets_back_a_marker_that_eligibility_withdrew(db: Session) -> None:
    data = talent_data()
    talent = file(db, data)
    code = talent.marker.code  # type: ignore[union-attr]
    file(db, dataclasses.replace(data, honors=()))
    file(db, data, today=TODAY + timedelta(days=30))
    assert talent.marker.status == "active"  # type: ignore[union-attr]
    assert talent.marker.code == code  # type: ignore[union-attr]
    assert talent.marker.granted_on == TODAY + timedelta(days=30)  # type: ignore[union-attr]


def test_an_admin_revocation_survives_an_eligible_refiling(db: Session) -> None:
    from app.registry.markers import revoke_marker

    data = talent_data()
    talent = file(db, data)
    revoke_marker(db, SYSTEM, talent, reason="材料造假")
    file(db, data, today=TODAY + timedelta(days=1))
    assert talent.marker.status == "revoked"  # type: ignore[union-attr]
    assert talent.marker.reason == "材料造假"  # type: ignore[union-attr]


def test_a_suspended_marker_stays_suspended_but_is_renewed_by_a_filing(db: Session) -> None:
    from app.registry.markers import suspend_marker

    data = talent_data()
    talent = file(db, data)
    suspend_marker(db, SYSTEM, talent, reason="核查中")
    later = TODAY + timedelta(days=10)
    file(db, data, today=later)
    assert talent.marker.status == "suspended"  # type: ignore[union-attr]
    assert talent.marker.valid_until == later.replace(year=later.year + 3)  # type: ignore[union-attr]


def test_retiring_withdraws_the_marker_and_keeps_a_version(db: Session) -> None:
    data = talent_data()
    talent = file(db, data)
    service.retire_talent(
        db, SYSTEM, talent, reason="退休", submission_id=None, today=TODAY + timedelta(days=5)
    )
    db.flush()
    assert talent.status == "retired" and talent.retired_reason == "退休"
    assert talent.eligible is False
    assert talent.marker.status == "revoked"  # type: ignore[union-attr]
    assert "退休" in (talent.marker.reason or "")  # type: ignore[union-attr]
    last = _versions(db, talent.id)[-1]
    assert last.action == "retire" and last.reason == "退休"
    assert last.changes["marker.status"] == ["active", "revoked"]


def test_refiling_a_retired_person_brings_them_back(db: Session) -> None:
    data = talent_data()
    talent = file(db, data)
    service.retire_talent(db, SYSTEM, talent, reason="退休", submission_id=None, today=TODAY)
    file(db, data, today=TODAY + timedelta(days=1))
    assert talent.status == "filed" and talent.retired_reason is None
    assert talent.marker.status == "active"  # type: ignore[union-attr]


def test_every_filing_keeps_a_version_without_clear_id_numbers(db: Session) -> None:
    data = talent_data()
    talent = file(db, data)
    file(db, dataclasses.replace(data, occupation="焊工"), today=TODAY + timedelta(days=1))
    file(db, dataclasses.replace(data, occupation="焊工"), today=TODAY + timedelta(days=2))
    versions = _versions(db, talent.id)
    assert [(v.version, v.action, v.source) for v in versions] == [
        (1, "create", "submission"),
        (2, "update", "submission"),
        (3, "refile", "submission"),
    ]
    assert talent.version == 3
    assert versions[1].changes["occupation"] == [data.occupation, "焊工"]
    assert "marker.valid_until" in versions[2].changes
    everything = json.dumps([v.changes for v in versions], ensure_ascii=False)
    assert data.id_number not in everything
    for dependent in data.dependents:
        assert dependent.id_number not in everything


def test_filing_moves_a_record_to_the_filing_city(db: Session) -> None:
    data = talent_data()
    talent = file(db, data)
    file(db, data, city_code=WUHU)
    assert talent.city_code == WUHU
    assert _versions(db, talent.id)[-1].changes["city_code"] == ["340100", WUHU]


def test_talents_by_hash_loads_many_in_chunks(db: Session) -> None:
    keyring = get_keyring()
    datas = [talent_data() for _ in range(520)]
    for data in datas:
        service.file_record(
            db, SYSTEM, data, city_code="340100", existing=None, submission_id=None, today=TODAY
        )
    db.flush()
    db.expunge_all()
    hashes = [keyring.blind_index(d.id_number) for d in datas] + ["0" * 64]
    found = service.talents_by_hash(db, hashes)
    assert len(found) == 520
    some = found[hashes[7]]
    assert some.name == datas[7].name
    assert "honors" in some.__dict__ and "dependents" in some.__dict__ and "marker" in some.__dict__


def test_stored_data_round_trips_through_talent_data_of(db: Session) -> None:
    from app.registry.records import talent_data_of

    data = talent_data()
    talent = file(db, data)
    assert talent_data_of(talent, get_keyring()) == dataclasses.replace(
        data, conditions={str(k): v for k, v in data.conditions.items()}
    )


def _versions(db: Session, talent_id: object) -> list[TalentVersion]:
    return list(
        db.scalars(
            select(TalentVersion)
            .where(TalentVersion.talent_id == talent_id)
            .order_by(TalentVersion.version)
        )
    )


def test_review_date_of_29_february_falls_to_28_february() -> None:
    from app.registry.markers import review_date

    assert review_date(date(2024, 2, 29)) == date(2027, 2, 28)


def test_filed_rows_are_visible_to_the_next_query_and_dropped_on_rollback(db: Session) -> None:
    keyring = get_keyring()
    data = talent_data()
    filed = service.file_record(
        db, SYSTEM, data, city_code="340100", existing=None, submission_id=None, today=TODAY
    )
    assert (filed.action, filed.version, filed.eligible, filed.marker_status) == (
        "create",
        1,
        True,
        "active",
    )
    found = service.talents_by_hash(db, [keyring.blind_index(data.id_number)])
    assert [t.id for t in found.values()] == [filed.talent_id]
    assert found[keyring.blind_index(data.id_number)].marker.code == filed.marker_code  # type: ignore[union-attr]

    other = talent_data()
    with db.begin_nested():
        service.file_record(
            db, SYSTEM, other, city_code="340100", existing=None, submission_id=None, today=TODAY
        )
        db.rollback()
    db.commit()
    assert service.talents_by_hash(db, [keyring.blind_index(other.id_number)]) == {}


def test_refiling_a_record_changed_meanwhile_raises_stale_data(db: Session) -> None:
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    from app.registry.models import Talent

    data = talent_data()
    talent = file(db, data)
    bump = update(Talent).where(Talent.id == talent.id).values(version=Talent.version + 1)
    db.execute(bump, execution_options={"synchronize_session": False})  # another writer
    with pytest.raises(StaleDataError):
        service.file_record(
            db, SYSTEM, data, city_code="340100", existing=talent, submission_id=None, today=TODAY
        )


def test_loading_records_leaves_the_process_garbage_collector_alone(db: Session) -> None:
    """A request thread must not switch the collector off for the whole process."""
    import gc

    from sqlalchemy import event

    data = talent_data()
    file(db, data)
    db.expunge_all()
    seen: list[bool] = []

    def loaded(_session: Session, _instance: object) -> None:
        seen.append(gc.isenabled())

    event.listen(db, "loaded_as_persistent", loaded)
    try:
        service.talents_by_hash(db, [get_keyring().blind_index(data.id_number)])
    finally:
        event.remove(db, "loaded_as_persistent", loaded)
    assert seen and all(seen)
