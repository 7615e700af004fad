"""Safe actions and the auditor's view in a real browser: each irreversible action asks
first (and 返回 leaves everything as it was), the auditor browses and pages the events, a
clerk prints the access log of the person at the window. Each step is saved to
`screenshots/` (ignored by git)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from app.access.auth import Principal
from app.assistance import service as assistance
from app.assistance.schemas import CaseCreate
from app.core import audit
from app.core.audit import NamedActor
from app.registry.markers import local_today
from tests.pages.conftest import LiveServer, log_in, needs_chromium
from tests.pages.seed import file_talent, pending_submission, person

pytestmark = needs_chromium

Shot = Callable[[Any, str], Path]


def test_rejecting_a_filing_asks_and_going_back_changes_nothing(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.reject")
    with live_server.session() as session:
        submission = pending_submission(
            session, [person(1001, city_code="340800")], city_code="340800"
        )
        review_url = f"{live_server.url}/province/submissions/{submission.id}"

    log_in(page, live_server, admin)
    page.goto(review_url)
    page.get_by_label("退回原因").fill("第1行工作单位名称有误")
    page.get_by_role("button", name="退回", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("确认退回安庆市 2026Q3 报送"))
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("第1行工作单位名称有误")
    screenshot(page, "confirm-reject")
    page.get_by_role("link", name="返回，暂不操作").click()
    expect(page.get_by_role("heading", name=re.compile("报送审核"))).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("待省级审核")

    page.get_by_label("退回原因").fill("第1行工作单位名称有误")
    page.get_by_role("button", name="退回", exact=True).click()
    page.get_by_role("button", name="确认退回").click()
    expect(page.get_by_role("status")).to_contain_text("已退回该报送")
    expect(page.locator(".facts")).to_contain_text("已退回")
    screenshot(page, "confirm-reject-done")


def test_revoking_a_marker_asks_first(live_server: LiveServer, page: Any, screenshot: Shot) -> None:
    admin = live_server.make_user("province_admin", "province.revoke")
    with live_server.session() as session:
        talent, record = file_talent(session, seed=1002, city_code="340100")
        talent_url = f"{live_server.url}/talents/{talent.id}"

    log_in(page, live_server, admin)
    page.goto(talent_url)
    page.get_by_label("撤销标识的原因").fill("经核查不符合认定条件")
    page.locator("#exit-reason").select_option("other")
    page.get_by_role("button", name="撤销标识").click()
    asked = page.get_by_role("alert")
    expect(asked).to_contain_text("立即失去全部优先服务资格")
    expect(asked).to_contain_text("经核查不符合认定条件")
    screenshot(page, "confirm-marker-revoke")
    page.get_by_role("button", name="确认撤销标识").click()
    expect(page.get_by_role("status")).to_contain_text("特殊标识已撤销")
    expect(page.get_by_role("region", name="特殊标识")).to_contain_text("已撤销")
    assert record["name"] in page.content()


def test_closing_an_assistance_case_asks_first(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    operator = live_server.make_user("city_operator", "city.assist", city_code="340100")
    city = Principal(
        kind="user", id=uuid.uuid4(), name="seed", role="city_operator", city_code="340100"
    )
    with live_server.session() as session:
        talent, _record = file_talent(session, seed=1003, city_code="340100")
        case = assistance.open_case(
            session,
            city,
            CaseCreate(talent_id=talent.id, situation="企业停产", measures="稳岗补贴"),
            today=local_today(),
        )
        case_url = f"{live_server.url}/assistance/{case.id}"

    log_in(page, live_server, operator)
    page.goto(case_url)
    page.get_by_label("帮扶结果").fill("企业复产，本人稳定就业")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_role("alert")).to_contain_text("此后不能再记录服务或修改帮扶情况")
    screenshot(page, "confirm-assistance-close")
    page.get_by_role("button", name="确认办结").click()
    expect(page.get_by_role("status")).to_contain_text("帮扶台账已办结")


def test_the_auditor_filters_pages_and_exports_the_events(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    auditor = live_server.make_user("auditor", "auditor.events")
    actor = NamedActor("user:province.seed", "province_admin")
    with live_server.session() as session:
        for n in range(55):
            audit.record(session, actor, "marker.suspend", f"talent:{n}", {"reason": "核查"})

    log_in(page, live_server, auditor)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计记录").click()
    page.get_by_label("操作", exact=True).select_option(label="暂停标识")
    page.get_by_role("button", name="筛选").click()
    events = page.get_by_role("region", name=re.compile("审计记录"))
    expect(events).to_contain_text("共 55 条")
    expect(events.locator("tbody tr")).to_have_count(50)
    screenshot(page, "audit-events")
    page.get_by_role("link", name="下一页（更早的记录）").click()
    expect(events.locator("tbody tr")).to_have_count(5)
    expect(events.locator("tbody tr").last).to_contain_text("talent:0")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（XLSX）").click()
    assert download.value.suggested_filename == "审计记录.xlsx"
    screenshot(page, "audit-events-page-2")


def test_a_clerk_prints_the_access_log_for_the_person_at_the_window(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    clerk = live_server.make_user("window_clerk", "clerk.print")
    with live_server.session() as session:
        _talent, record = file_talent(session, seed=1004, city_code="340100")

    log_in(page, live_server, clerk)
    page.get_by_label("本人身份证号").fill(record["id_number"])
    page.get_by_role("button", name="查看并打印查询记录").click()
    expect(page.get_by_role("heading", name="高技能领军人才优先服务查询记录")).to_be_visible()
    expect(page.locator("table")).to_contain_text("打印查询记录")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    assert record["id_number"] not in page.content()
    screenshot(page, "access-log-print")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    screenshot(page, "access-log-print-media")
