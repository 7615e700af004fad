"""Figures of the register, checked against the records filed in the test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.audit import SYSTEM
from app.registry.markers import local_today, revoke_marker
from app.registry.queries import load_talent
from tests.lookup.factories import make_talent
from tests.registry.factories import (
    HEFEI,
    WUHU,
    backdate_newest_change,
    file,
    talent_data,
    with_condition,
)


def _figures(client: TestClient, headers: dict[str, str], name: str = "statistics_registry") -> Any:
    response = client.get(client.app.url_path_for(name), headers=headers)  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    return response.json()


def test_figures_count_holders_by_city_category_skill_and_markers_by_state(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    today = local_today()
    make_talent(db, city_code="340100", categories=("national_model_worker",), occupation="焊工")
    make_talent(db, city_code="340100", categories=("national_model_worker", "special_allowance"))
    make_talent(db, city_code="340200", categories=("china_skills_award",))
    make_talent(db, city_code="340200", marker="suspended")
    make_talent(db, city_code="340200", valid_until=today - timedelta(days=1))
    revoked = make_talent(db, city_code="340300")
    talent = load_talent(db, revoked.talent_id)
    assert talent is not None
    revoke_marker(db, SYSTEM, talent, reason="弄虚作假")
    data = talent_data(city_code="340300")
    file(db, data, city_code="340300", today=date(2026, 1, 5))
    file(db, with_condition(data, "frontline", False, None), city_code="340300")
    db.commit()

    province = _figures(client, login("province_admin").headers)

    assert province["holders"] == 3
    assert province["by_city"] == {"340100": 2, "340200": 1}
    assert province["by_category"] == {
        "national_model_worker": 2,
        "special_allowance": 1,
        "china_skills_award": 1,
    }
    assert province["by_skill_level"] == {"senior_technician": 3}
    assert province["by_occupation"] == {"焊工": 1, "数控车工": 2}
    assert province["by_marker_state"] == {
        "active": 3,
        "suspended": 1,
        "expired": 1,
        "revoked": 1,
        "withdrawn": 1,
    }

    wuhu = _figures(client, login("city_operator", "340200").headers)
    assert wuhu["holders"] == 1
    assert wuhu["by_city"] == {"340200": 1}
    assert wuhu["by_marker_state"] == {"active": 1, "suspended": 1, "expired": 1}


def test_window_clerks_get_no_figures(client: TestClient, login: Callable[..., Any]) -> None:
    path = client.app.url_path_for("statistics_registry")  # type: ignore[attr-defined]
    assert client.get(path, headers=login("window_clerk").headers).status_code == 403


def _admin_action(client: TestClient, headers: dict[str, str], verb: str, talent: Any) -> None:
    url = client.app.url_path_for(f"marker_{verb}", talent_id=str(talent.id))  # type: ignore[attr-defined]
    response = client.post(
        url,
        headers=headers,
        json={
            "reason": f"核查情况需要{verb}",
            **({"exit_reason": "other"} if verb == "revoke" else {}),
        },
    )
    assert response.status_code == 200, response.text


def test_marker_changes_per_month_follow_the_histories(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    admin = login("province_admin").headers
    data = talent_data()
    talent = file(db, data, city_code=HEFEI, today=date(2022, 3, 1))  # valid until 2025-03-01
    backdate_newest_change(db, talent, date(2022, 3, 1))
    _admin_action(client, admin, "suspend", talent)
    backdate_newest_change(db, talent, date(2022, 6, 10))
    _admin_action(client, admin, "reinstate", talent)
    backdate_newest_change(db, talent, date(2022, 7, 1))
    file(db, data, city_code=HEFEI, today=date(2025, 6, 1))  # refiled after expiry
    backdate_newest_change(db, talent, date(2025, 6, 1))
    _admin_action(client, admin, "revoke", talent)
    backdate_newest_change(db, talent, date(2026, 2, 1))
    other = talent_data(city_code=WUHU)
    withdrawn = file(db, other, city_code=WUHU, today=date(2026, 1, 5))
    backdate_newest_change(db, withdrawn, date(2026, 1, 5))
    file(db, with_condition(other, "frontline", False, None), city_code=WUHU)
    backdate_newest_change(db, withdrawn, date(2026, 3, 9))

    months = _figures(client, admin, "statistics_marker_changes")["months"]

    assert months == {
        "2022-03": {"granted": 1},
        "2022-06": {"suspended": 1},
        "2022-07": {"reinstated": 1},
        "2025-03": {"expired": 1},
        "2025-06": {"granted": 1},
        "2026-01": {"granted": 1},
        "2026-02": {"revoked": 1},
        "2026-03": {"withdrawn": 1},
    }
    wuhu = _figures(client, login("city_operator", WUHU).headers, "statistics_marker_changes")
    assert wuhu["months"] == {"2026-01": {"granted": 1}, "2026-03": {"withdrawn": 1}}
