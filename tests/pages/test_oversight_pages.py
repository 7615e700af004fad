"""The province's filing calendar page and a city's own filing status on its home page."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.filing.calendar import current_period, deadline_of
from app.registry.markers import local_today
from tests.conftest import Login
from tests.pages.seed import pending_submission, person


def _row(html: str, city_code: str) -> str:
    found = re.search(rf'<tr data-city="{city_code}">(.*?)</tr>', html, re.S)
    assert found, city_code
    return found.group(1)


def test_the_province_sees_who_filed_who_waits_and_who_is_late(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    pending_submission(db, [person(801)], city_code="340100", period="2026Q3")
    db.commit()
    sign_in("province_admin")

    response = client.get(
        client.app.url_path_for("page_filing_calendar"),  # type: ignore[attr-defined]
        params={"period": "2026Q3"},
    )

    assert response.status_code == 200
    html = response.text
    assert "报送日历 · 2026Q3" in html
    assert "截止日期 2026年10月15日" in html
    assert html.count("<tr data-city=") == 16
    assert "待审核" in _row(html, "340100")
    # 2026Q3's deadline has passed: a city with nothing filed is late.
    assert "逾期未报" in _row(html, "340200")
    overdue = re.search(r'<ul id="overdue-list">(.*?)</ul>', html, re.S)
    assert overdue and "芜湖市" in overdue.group(1) and "合肥市" not in overdue.group(1)


def test_auditors_see_the_calendar_and_city_operators_do_not(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    path = client.app.url_path_for("page_filing_calendar")  # type: ignore[attr-defined]
    sign_in("city_operator", "340100")
    assert client.get(path).status_code == 403
    sign_in("auditor")
    assert client.get(path).status_code == 200


def test_a_city_home_shows_its_own_status_and_days_to_the_deadline(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    today = local_today()
    period = current_period(today)
    pending_submission(db, [person(802)], city_code="340100", period=period)
    db.commit()
    sign_in("city_operator", "340100")

    html = client.get(client.app.url_path_for("page_city_home")).text  # type: ignore[attr-defined]

    status = re.search(r'id="filing-status">(.*?)</section>', html, re.S)
    assert status
    days = (deadline_of(period) - today).days
    assert f"本期报送（{period}）" in status.group(1)
    assert "待审核" in status.group(1)
    assert (f"还剩 {days} 天" if days > 0 else "截止") in status.group(1)
