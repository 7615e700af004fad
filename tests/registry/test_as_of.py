"""A record's status on a past day (contract v2), rebuilt from its history: grant,
suspension, reinstatement, expiry, renewal, revocation, and withdrawal by a filing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.codes import Service
from app.lookup.models import LookupRecord
from app.registry.markers import local_today
from app.registry.models import Talent
from tests.registry.factories import (
    HEFEI,
    WUHU,
    backdate_newest_change,
    file,
    talent_data,
    with_condition,
)

Login = Callable[..., Any]
ALL = dict.fromkeys((s.value for s in Service), True)
NONE = dict.fromkeys((s.value for s in Service), False)


def _url(client: TestClient, name: str, **params: Any) -> str:
    return str(client.app.url_path_for(name, **{k: str(v) for k, v in params.items()}))  # type: ignore[attr-defined]


def _admin_action(client: TestClient, headers: dict[str, str], verb: str, talent: Talent) -> None:
    url = _url(client, f"marker_{verb}", talent_id=talent.id)
    response = client.post(
        url,
        headers=headers,
        json={
            "reason": f"核查情况需要{verb}",
            **({"exit_reason": "other"} if verb == "revoke" else {}),
        },
    )
    assert response.status_code == 200, response.text


def _status(client: TestClient, headers: dict[str, str], talent: Talent, on: date | None):  # type: ignore[no-untyped-def]
    params = {"on": on.isoformat()} if on else {}
    return client.get(
        _url(client, "talent_status", talent_id=talent.id), headers=headers, params=params
    )


@pytest.fixture
def admin(login: Login, db: Session) -> dict[str, str]:
    headers: dict[str, str] = login("province_admin").headers
    db.commit()
    return headers


def test_the_state_on_each_day_follows_grant_suspension_expiry_renewal_and_revocation(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = talent_data()
    talent = file(db, data, today=date(2022, 3, 1))  # valid until 2025-03-01
    backdate_newest_change(db, talent, date(2022, 3, 1))
    _admin_action(client, admin, "suspend", talent)
    backdate_newest_change(db, talent, date(2022, 6, 10))
    _admin_action(client, admin, "reinstate", talent)
    backdate_newest_change(db, talent, date(2022, 7, 1))
    file(db, data, today=date(2025, 6, 1))  # refiled after expiry: valid until 2028-06-01
    backdate_newest_change(db, talent, date(2025, 6, 1))
    _admin_action(client, admin, "revoke", talent)
    backdate_newest_change(db, talent, date(2026, 2, 1))
    code = talent.marker.code if talent.marker else None

    expected = [
        (date(2022, 2, 28), None),
        (date(2022, 3, 1), "active"),
        (date(2022, 6, 9), "active"),
        (date(2022, 6, 10), "suspended"),
        (date(2022, 6, 30), "suspended"),
        (date(2022, 7, 1), "active"),
        (date(2025, 3, 1), "active"),  # the last day of the term
        (date(2025, 3, 2), "expired"),
        (date(2025, 5, 31), "expired"),
        (date(2025, 6, 1), "active"),
        (date(2026, 1, 31), "active"),
        (date(2026, 2, 1), "revoked"),
        (local_today(), "revoked"),
    ]
    for day, state in expected:
        response = _status(client, admin, talent, day)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["on"] == day.isoformat()
        if state is None:
            assert body["marker"] is None, day
        else:
            assert body["marker"] == {"code": code, "state": state}, day
        assert body["services"] == (ALL if state == "active" else NONE), day


def test_a_marker_withdrawn_by_a_filing_is_withdrawn_and_comes_back_when_eligible_again(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = talent_data()
    talent = file(db, data, today=date(2025, 1, 10))
    backdate_newest_change(db, talent, date(2025, 1, 10))
    file(db, with_condition(data, "frontline", False, None), today=date(2025, 4, 10))
    backdate_newest_change(db, talent, date(2025, 4, 10))
    file(db, data, today=date(2025, 7, 10))
    backdate_newest_change(db, talent, date(2025, 7, 10))

    states = {
        day: _status(client, admin, talent, day).json()["marker"]["state"]
        for day in (date(2025, 4, 9), date(2025, 4, 10), date(2025, 7, 9), date(2025, 7, 10))
    }
    assert states == {
        date(2025, 4, 9): "active",
        date(2025, 4, 10): "withdrawn",
        date(2025, 7, 9): "withdrawn",
        date(2025, 7, 10): "active",
    }


def test_a_retired_holder_s_marker_is_withdrawn(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    from app.core.audit import SYSTEM
    from app.registry import service

    talent = file(db, talent_data(), today=date(2025, 1, 10))
    backdate_newest_change(db, talent, date(2025, 1, 10))
    service.retire_talent(
        db, SYSTEM, talent, reason="退休", submission_id=None, today=date(2025, 5, 5)
    )
    db.commit()
    backdate_newest_change(db, talent, date(2025, 5, 5))

    body = _status(client, admin, talent, date(2025, 5, 5)).json()
    assert body["marker"]["state"] == "withdrawn"
    assert body["services"] == NONE


def test_a_record_never_eligible_has_no_marker(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = with_condition(talent_data(), "frontline", False, None)
    talent = file(db, dataclasses.replace(data, honors=()))
    body = _status(client, admin, talent, None).json()
    assert body == {"on": local_today().isoformat(), "marker": None, "services": NONE}


def test_a_future_day_is_refused(client: TestClient, db: Session, admin: dict[str, str]) -> None:
    talent = file(db, talent_data())
    response = _status(client, admin, talent, date(2099, 1, 1))
    assert response.status_code == 422
    assert response.json()["code"] == "date_in_future"


def test_a_malformed_day_is_422(client: TestClient, db: Session, admin: dict[str, str]) -> None:
    talent = file(db, talent_data())
    url = _url(client, "talent_status", talent_id=talent.id)
    assert client.get(url, headers=admin, params={"on": "2026-13-01"}).status_code == 422


def test_auditors_and_the_record_s_own_city_read_it_another_city_gets_404_others_403(
    client: TestClient, db: Session, login: Login
) -> None:
    talent = file(db, talent_data(city_code=HEFEI), city_code=HEFEI)
    headers = {
        "auditor": login("auditor").headers,
        "own": login("city_operator", HEFEI).headers,
        "other": login("city_operator", WUHU).headers,
        "clerk": login("window_clerk").headers,
    }
    db.commit()
    codes = {who: _status(client, h, talent, None).status_code for who, h in headers.items()}
    assert codes == {"auditor": 200, "own": 200, "other": 404, "clerk": 403}


def test_asking_for_a_past_status_is_a_recorded_read_of_the_person(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    talent = file(db, talent_data())
    assert _status(client, admin, talent, local_today()).status_code == 200
    records = db.scalars(
        select(LookupRecord).where(LookupRecord.subject_hash == talent.id_hash)
    ).all()
    assert [(r.service, r.outcome, r.query_kind) for r in records] == [(None, "shown", "talent_id")]
    assert records[0].purpose == f"标识状态查询 {local_today().isoformat()}"
