"""Each user's main journey in a real browser (Chromium) against a live server.

Every page a journey passes is saved to `screenshots/<name>.png` for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.registry import markers
from app.registry.queries import load_talent
from tests.pages.conftest import PHONE_SCREEN, LiveServer, log_in, needs_chromium
from tests.pages.seed import csv_of, file_talent, pending_submission, person, unknown_id_number

pytestmark = needs_chromium

Shot = Callable[[Any, str], Path]
_ID_NUMBER_LIKE = re.compile(r"\d{17}[\dXx]")


def test_window_clerk_checks_two_people_at_the_counter(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    clerk = live_server.make_user("window_clerk", "clerk.hefei")
    with live_server.session() as session:
        _talent, holder = file_talent(session, seed=101)
    stranger = unknown_id_number(seed=102)

    log_in(page, live_server, clerk)
    expect(page.get_by_role("heading", name="服务窗口 · 优先服务资格查询")).to_be_visible()
    screenshot(page, "counter")
    expect(page.get_by_label("身份证号或蓝卡卡号")).to_be_focused()

    _look_up(page, holder["id_number"], "购房", "购房资格审核 2026-118")
    verdict = page.locator(".verdict")
    expect(verdict).to_have_class(re.compile(r"\byes\b"))
    expect(verdict.locator(".headline")).to_have_text("有优先资格")
    expect(verdict).to_contain_text(holder["name"])
    expect(verdict).to_contain_text(holder["id_number"][:6] + "**********")
    expect(verdict).to_contain_text("有效期至")
    expect(verdict).to_contain_text("购房")
    assert holder["id_number"] not in page.content()
    screenshot(page, "counter-priority")

    _look_up(page, stranger, "就业", "就业登记 2026-7")
    expect(page.locator(".verdict .headline")).to_have_text("无优先资格")
    recent = page.get_by_role("region", name="我的最近查询")
    expect(recent.locator("tbody tr")).to_have_count(2)
    expect(recent).to_contain_text("有优先资格")
    assert not _ID_NUMBER_LIKE.search(page.url)
    screenshot(page, "counter-no-priority")


def test_city_operator_fixes_a_file_and_submits_it(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    operator = live_server.make_user("city_operator", "city.wuhu", city_code="340200")
    good = [person(201, city_code="340200"), person(202, city_code="340200", eligible=False)]
    broken = [dict(good[0], id_number=good[0]["id_number"][:17] + _wrong_check(good[0])), good[1]]

    log_in(page, live_server, operator)
    expect(page.get_by_role("heading", name="市级备案 · 芜湖市")).to_be_visible()
    screenshot(page, "city-home")

    _upload(page, "2026Q4", "芜湖2026Q4.csv", csv_of(broken))
    expect(page.get_by_role("alert")).to_contain_text("校验未通过")
    errors = page.get_by_role("region", name=re.compile("错误明细"))
    expect(errors).to_contain_text("身份证号校验位（第18位）不正确")
    expect(errors.locator("tbody tr").first).to_contain_text("身份证号")
    expect(page.get_by_role("button", name="提交省级审核")).to_have_count(0)
    screenshot(page, "city-errors")

    page.get_by_role("link", name="返回市级备案").click()
    _upload(page, "2026Q4", "芜湖2026Q4.csv", csv_of(good))
    expect(page.get_by_text("校验通过。")).to_be_visible()
    preview = page.get_by_role("region", name="备案后的变化预览")
    expect(preview.locator("tbody tr")).to_have_count(2)
    expect(preview).to_contain_text("新增")
    expect(preview).to_contain_text("不符合")
    screenshot(page, "city-validated")

    page.get_by_role("button", name="提交省级审核").click()
    expect(page.get_by_role("alert")).to_contain_text("全部 2 行交省级审核：新增 2 人")
    screenshot(page, "city-submit-confirm")
    page.get_by_role("button", name="确认提交省级审核").click()
    expect(page.get_by_role("status")).to_contain_text("已提交省级审核")
    expect(page.locator(".facts")).to_contain_text("待省级审核")
    page.get_by_role("link", name="返回市级备案").click()
    history = page.get_by_role("region", name="历次报送")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history).to_contain_text("待省级审核")
    screenshot(page, "city-history")


def test_province_admin_approves_then_suspends_a_marker(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.review")
    filed = person(301, city_code="340300")
    with live_server.session() as session:
        pending_submission(session, [filed, person(302, city_code="340300")], city_code="340300")

    log_in(page, live_server, admin)
    queue = page.get_by_role("region", name=re.compile("待审核"))
    expect(queue).to_contain_text("蚌埠市")
    screenshot(page, "province-queue")

    bengbu = queue.get_by_role("row").filter(has_text="2026Q3")
    bengbu.get_by_role("link", name="审核").click()
    expect(page.get_by_role("heading", name=re.compile("蚌埠市 2026Q3 报送审核"))).to_be_visible()
    expect(page.get_by_role("region", name="备案后的变化预览")).to_contain_text(filed["name"])
    screenshot(page, "province-review")

    page.get_by_role("button", name="审核通过并备案").click()
    asked = page.get_by_role("alert")
    expect(asked).to_contain_text("全部 2 行：新增 2 人、更新 0 人、退出 0 人")
    screenshot(page, "province-approve-confirm")
    page.get_by_role("button", name="确认审核通过并备案").click()
    expect(page.get_by_role("status")).to_contain_text("已审核通过")
    expect(page.locator(".facts")).to_contain_text("已备案")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="人才名录").click()
    page.get_by_label("姓名").fill(filed["name"])
    page.get_by_role("button", name="筛选").click()
    screenshot(page, "talent-list")
    page.get_by_role("link", name=filed["name"]).click()
    marker = page.get_by_role("region", name="特殊标识")
    expect(marker).to_contain_text("有效")
    expect(marker).to_contain_text("LT-")
    expect(page.get_by_role("region", name="变更历史")).to_contain_text("城市报送备案")
    screenshot(page, "talent-record")

    page.get_by_label("暂停标识的原因").fill("当事人所在企业停产，待核查")
    page.get_by_role("button", name="暂停标识").click()
    expect(page.get_by_role("status")).to_contain_text("特殊标识已暂停")
    expect(marker).to_contain_text("已暂停")
    expect(page.get_by_role("region", name="变更历史")).to_contain_text("待核查")
    screenshot(page, "talent-suspended")


def test_province_admin_registers_a_partner_and_issues_a_key_once(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.partners")
    log_in(page, live_server, admin)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="合作系统").click()
    page.get_by_label("名称").fill("省教育厅学籍系统")
    page.get_by_label("所属机关").fill("安徽省教育厅")
    page.get_by_label("教育").check()
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_contain_text("合作系统已创建")

    page.get_by_label("密钥用途").fill("生产环境")
    page.get_by_role("button", name="签发密钥").click()
    key = page.locator("#new-key").inner_text()
    assert key.startswith("bk_")
    assert key not in page.url
    screenshot(page, "partner-key")

    page.reload()  # a refresh shows the page again: no second key, and this one not again
    expect(page.locator("#new-key")).to_have_count(0)
    expect(page.get_by_role("cell", name="有效")).to_have_count(1)

    page.get_by_role("button", name="吊销").click()
    expect(page.get_by_role("alert")).to_contain_text("有效密钥由 1 个减为 0 个")
    screenshot(page, "partner-revoke-confirm")
    page.get_by_role("button", name="确认吊销").click()
    expect(page.get_by_role("status")).to_contain_text("密钥已吊销")
    expect(page.locator("#new-key")).to_have_count(0)
    expect(page.get_by_role("cell", name="已吊销")).to_be_visible()
    screenshot(page, "partner")


def test_public_searches_the_roster_and_verifies_markers(
    live_server: LiveServer, browser: Any, page: Any, screenshot: Shot
) -> None:
    with live_server.session() as session:
        kept, kept_record = file_talent(session, seed=401, city_code="340500")
        file_talent(session, seed=402, city_code="340600")
        suspended, _ = file_talent(session, seed=403, city_code="340500")
        session.flush()
        kept_code = kept.marker.code if kept.marker else ""
        target = load_talent(session, suspended.id)
        assert target is not None and target.marker is not None
        markers.suspend_marker(session, _SEED_ADMIN, target, reason="核查中")
        suspended_code = target.marker.code

    page.goto(f"{live_server.url}/roster")
    expect(page.get_by_role("heading", name="高技能领军人才公布名单")).to_be_visible()
    page.get_by_label("设区市").select_option(label="马鞍山市")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(kept_record["name"])
    expect(rows.first).to_contain_text("马鞍山市")
    screenshot(page, "roster")

    page.get_by_label("标识编码").fill(kept_code)
    page.get_by_role("button", name="核验").click()
    expect(page.locator(".verdict .headline")).to_have_text("标识有效")
    expect(page.locator(".verdict")).to_contain_text(kept_record["name"][0] + "*")
    expect(page.locator(".verdict")).not_to_contain_text(kept_record["name"])
    screenshot(page, "verify-valid")

    phone = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN", is_mobile=True)
    try:
        scanned = phone.new_page()
        scanned.goto(f"{live_server.url}/verify/{suspended_code}")
        expect(scanned.locator(".verdict .headline")).to_have_text("标识无效")
        screenshot(scanned, "verify-invalid-phone")
        scanned.goto(f"{live_server.url}/roster")
        screenshot(scanned, "roster-phone")
    finally:
        phone.close()


def test_auditor_checks_the_audit_chain(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    auditor = live_server.make_user("auditor", "auditor.one")
    log_in(page, live_server, auditor)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计记录").click()
    expect(
        page.get_by_role("heading", name=re.compile("审计记录 · 谁在何时做了什么"))
    ).to_be_visible()
    page.get_by_role("link", name="核验审计链").click()
    page.get_by_role("button", name="立即核验审计链").click()
    expect(page.get_by_role("status")).to_contain_text("审计链完整")
    screenshot(page, "audit")
    page.goto(f"{live_server.url}/partners")
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    screenshot(page, "error-403")


def test_login_page_in_chinese(live_server: LiveServer, page: Any, screenshot: Shot) -> None:
    page.goto(f"{live_server.url}/counter")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("用户名").fill("nobody.here")
    page.get_by_label("密码").fill("Wrong-Password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    screenshot(page, "login")


class _SeedAdmin:
    actor_id = "user:province-seed"
    actor_role = "province_admin"


_SEED_ADMIN = _SeedAdmin()


def _look_up(page: Any, number: str, service: str, purpose: str) -> None:
    page.get_by_label("身份证号或蓝卡卡号").fill(number)
    page.get_by_label("服务事项").select_option(label=service)
    page.get_by_label("查询事由").fill(purpose)
    page.get_by_label("身份证号或蓝卡卡号").press("Enter")
    page.wait_for_load_state()


def _upload(page: Any, period: str, name: str, content: bytes) -> None:
    page.get_by_label("报送期次").fill(period)
    page.get_by_label("备案文件", exact=True).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_load_state()


def _wrong_check(record: dict[str, Any]) -> str:
    return "0" if record["id_number"][17] != "0" else "1"


@pytest.fixture(autouse=True)
def _no_broken_resources(page: Any) -> Any:
    """A page whose script or style fails (CSP, a missing file) is not a finished page.
    Error pages themselves (a 403 document) are expected where a journey goes there."""
    problems: list[str] = []

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} {response.url}")

    def on_console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    page.on("response", on_response)
    page.on("console", on_console)
    yield
    assert problems == []
