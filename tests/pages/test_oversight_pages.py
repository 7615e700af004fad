"""The province's filing calendar page and a city's own filing status on its home page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.audit import SYSTEM
from app.filing.calendar import current_period, deadline_of
from app.registry.markers import local_today, reinstate_marker, suspend_marker
from tests.conftest import Login
from tests.pages.seed import pending_submission, person
from tests.registry.factories import backdate_newest_change, file, talent_data


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
    overdue = re.search(r'<p id="overdue-list">(.*?)</p>', html, re.S)
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


def test_the_talent_page_shows_the_marker_timeline_with_the_derived_expiry(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    data = talent_data()
    talent = file(db, data, today=date(2022, 3, 1))
    backdate_newest_change(db, talent, date(2022, 3, 1))
    suspend_marker(db, SYSTEM, talent, reason="核查期间暂停")
    db.commit()
    backdate_newest_change(db, talent, date(2022, 6, 10))
    reinstate_marker(db, SYSTEM, talent, reason="核查完毕恢复")
    db.commit()
    backdate_newest_change(db, talent, date(2022, 7, 1))
    sign_in("auditor")

    html = client.get(
        client.app.url_path_for("page_talent_record", talent_id=str(talent.id))  # type: ignore[attr-defined]
    ).text

    table = re.search(r'<table id="marker-timeline">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert table
    rows = [
        (since, re.sub(r"<[^>]+>", "", state).strip())
        for since, state in re.findall(
            r"<tr>\s*<td>([0-9-]+)</td>\s*<td>(.*?)</td>", table.group(1), re.S
        )
    ]
    assert rows == [
        ("2025-03-02", "已过期"),
        ("2022-07-01", "有效"),
        ("2022-06-10", "已暂停"),
        ("2022-03-01", "有效"),
    ]
    assert "有效期届满" in table.group(1)


def test_the_public_roster_page_links_the_latest_signed_snapshot_and_its_keys(
    client: TestClient,
) -> None:
    html = client.get(client.app.url_path_for("page_roster")).text  # type: ignore[attr-defined]
    links = re.search(r'id="snapshot-links">(.*?)</p>', html, re.S)
    assert links
    assert f'href="{client.app.url_path_for("roster_snapshot")}"' in links.group(1)  # type: ignore[attr-defined]
    assert f'href="{client.app.url_path_for("signing_key_list")}"' in links.group(1)  # type: ignore[attr-defined]
