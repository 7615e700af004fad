"""The province's oversight pages in a real browser: the filing calendar, a city's own
filing status, a talent's marker timeline; each saved to `screenshots/`."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from app.core.audit import SYSTEM
from app.filing.calendar import current_period
from app.registry import markers
from app.registry.queries import load_talent
from tests.pages.conftest import LiveServer, log_in, needs_chromium
from tests.pages.seed import file_talent, pending_submission, person

pytestmark = needs_chromium

Shot = Callable[[Any, str], Path]


def test_province_admin_reads_the_filing_calendar(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.calendar")
    with live_server.session() as session:
        pending_submission(session, [person(901, city_code="340400")], city_code="340400")

    log_in(page, live_server, admin)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="报送日历").click()
    page.get_by_label("报送期次").fill("2026Q3")
    page.get_by_role("button", name="查看").click()

    expect(page.get_by_role("heading", name="报送日历 · 2026Q3")).to_be_visible()
    table = page.locator("#calendar")
    expect(table.get_by_role("row").filter(has_text="淮南市")).to_contain_text("待审核")
    expect(table.get_by_role("row").filter(has_text="合肥市")).to_contain_text("逾期未报")
    expect(page.get_by_role("region", name=re.compile("逾期未报"))).to_contain_text("合肥市")
    screenshot(page, "filing-calendar")


def test_city_operator_sees_its_status_and_days_to_the_deadline(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    operator = live_server.make_user("city_operator", "city.calendar", city_code="340500")
    log_in(page, live_server, operator)
    status = page.locator("#filing-status")
    expect(status).to_contain_text(f"本期报送（{current_period(markers.local_today())}）")
    expect(status).to_contain_text("截止日期")
    screenshot(page, "city-filing-status")


def test_a_talent_page_shows_the_marker_timeline(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.timeline")
    with live_server.session() as session:
        talent, _record = file_talent(session, seed=902, city_code="340600")
        loaded = load_talent(session, talent.id)
        assert loaded is not None
        markers.suspend_marker(session, SYSTEM, loaded, reason="待核查")
        talent_id = str(talent.id)

    log_in(page, live_server, admin)
    page.goto(f"{live_server.url}/talents/{talent_id}")
    timeline = page.get_by_role("region", name=re.compile("标识状态时间线"))
    expect(timeline.get_by_role("row").nth(1)).to_contain_text("已暂停")
    expect(timeline).to_contain_text("有效")
    screenshot(page, "talent-marker-timeline")


def test_province_admin_opens_a_review_list_from_the_home_page(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.reviews")
    with live_server.session() as session:
        file_talent(session, seed=903, city_code="340700")

    log_in(page, live_server, admin)
    reviews = page.get_by_role("region", name="动态管理提示")
    expect(reviews).to_contain_text("90天内到期的特殊标识")
    screenshot(page, "province-home-reviews")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="动态管理").click()
    page.get_by_role("link", name="超过一年未更新备案的记录").click()
    expect(page.get_by_role("heading", name=re.compile("超过一年未更新备案的记录"))).to_be_visible()
    expect(page.get_by_role("link", name="导出 XLSX")).to_be_visible()
    screenshot(page, "review-list")


def test_city_operator_reads_its_statistics_with_charts(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    operator = live_server.make_user("city_operator", "city.statistics", city_code="341000")
    with live_server.session() as session:
        for seed in (931, 932):
            file_talent(session, seed=seed, city_code="341000")

    log_in(page, live_server, operator)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="统计分析").click()

    expect(page.get_by_role("heading", name="统计分析 · 黄山市")).to_be_visible()
    by_city = page.locator("#holders-by-city")
    expect(by_city.get_by_role("row").filter(has_text="黄山市")).to_contain_text("2")
    chart = by_city.get_by_role("img")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 0
    screenshot(page, "statistics")
