"""The pages that were missing, in a real browser: accounts, a talent found by ID number,
corrected and its marker certificate printed, a city's upload withdrawn; each saved to
`screenshots/` (the screenshot helper also checks every control has a label)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from app.core.audit import NamedActor
from app.filing.intake import take_in
from app.filing.upload import hashed_upload
from app.registry.markers import local_today
from tests.pages.conftest import PHONE_SCREEN, LiveServer, log_in, needs_chromium
from tests.pages.seed import csv_of, file_talent, person

pytestmark = needs_chromium

Shot = Callable[[Any, str], Path]


def test_province_admin_creates_an_account(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.accounts")
    log_in(page, live_server, admin)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="用户管理").click()
    form = page.get_by_role("region", name="新建账号")
    form.get_by_label("姓名").fill("陈静")
    form.get_by_label("用户名").fill("chenjing")
    form.get_by_label("岗位").select_option("city_operator")
    form.get_by_label(re.compile("^所属市")).select_option("340200")
    form.get_by_label("初始密码").fill("Kx9#mQ2$vL7pRw")
    form.get_by_role("button", name="创建账号").click()

    expect(page.get_by_role("heading", name="陈静")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("账号已创建")
    expect(page.locator("dl.facts")).to_contain_text("芜湖市")
    screenshot(page, "account-created")


def test_province_admin_finds_corrects_and_prints_a_certificate(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    admin = live_server.make_user("province_admin", "province.talent")
    with live_server.session() as session:
        _talent, record = file_talent(session, seed=951)
    log_in(page, live_server, admin)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="人才名录").click()
    expect(page.locator("#talent-total")).to_contain_text("共")
    screenshot(page, "talent-list")
    page.get_by_role("textbox", name="身份证号查询").fill(record["id_number"])
    page.get_by_role("button", name="查询", exact=True).click()

    expect(page.get_by_role("heading", name=re.compile(record["name"]))).to_be_visible()
    assert record["id_number"] not in page.url
    page.get_by_text("更正记录").click()
    page.get_by_label("职业（工种）").fill("焊工")
    page.get_by_role("button", name="保存更正").click()
    expect(page.get_by_role("status")).to_contain_text("记录已更正")

    page.get_by_role("link", name=re.compile("打印特殊标识证明")).click()
    expect(page.get_by_role("heading", name="高技能领军人才特殊标识证明")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("核验二维码"))).to_be_visible()
    screenshot(page, "marker-certificate")
    page.set_viewport_size(PHONE_SCREEN)
    screenshot(page, "marker-certificate-phone")


def test_city_operator_withdraws_a_failed_upload(
    live_server: LiveServer, page: Any, screenshot: Shot
) -> None:
    operator = live_server.make_user("city_operator", "city.withdraw", city_code="340100")
    with live_server.session() as session:
        broken = dict(person(952), frontline_since="二〇〇四")
        take_in(
            session,
            NamedActor(actor_id="user:city.withdraw", actor_role="city_operator"),
            hashed_upload(io.BytesIO(csv_of([broken])), "有误的文件.csv"),
            city_code="340100",
            period="2026Q3",
            idempotency_key=None,
            today=local_today(),
        )
    log_in(page, live_server, operator)
    row = page.locator("#history").get_by_role("row").filter(has_text="有误的文件.csv")
    row.get_by_role("button", name=re.compile("撤回")).click()

    expect(page.get_by_role("status")).to_contain_text("该报送已撤回")
    expect(
        page.locator("#history").get_by_role("row").filter(has_text="有误的文件.csv")
    ).to_contain_text("已撤回")
    screenshot(page, "city-upload-withdrawn")
