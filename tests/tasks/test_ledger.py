"""The key-task ledger through the API: the seeded table, progress reports, the overdue
list and the XLSX export read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.registry.markers import local_today
from app.tasks.export import HEADERS
from app.tasks.seed import seed_tasks

FIXED_TASK, YEARLY_OCTOBER_TASK, LONG_TERM_TASK = 5, 19, 1
HR = "省人力资源社会保障厅"


@pytest.fixture
def province(login: Callable[..., Any], db: Session) -> Any:
    user = login("province_admin")
    db.commit()  # a refused request rolls back whatever was not committed
    return user


def report(client: TestClient, headers: dict[str, str], number: int, **fields: Any) -> Any:
    body = {
        "report_date": local_today().isoformat(),
        "reporting_unit": HR,
        "text": "已印发实施方案",
        **fields,
    }
    url = client.app.url_path_for("task_report_add", number=str(number))
    return client.post(url, json=body, headers=headers)


def ledger(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    url = client.app.url_path_for("task_list")
    response = client.get(url, params={"page_size": 100, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def task(client: TestClient, headers: dict[str, str], number: int) -> dict[str, Any]:
    url = client.app.url_path_for("task_get", number=str(number))
    return client.get(url, headers=headers).json()  # type: ignore[no-any-return]


def test_the_25_tasks_are_loaded_from_the_seed(client: TestClient, province: Any) -> None:
    items = ledger(client, province.headers)["items"]
    assert [t["number"] for t in items] == list(range(1, 26))
    seeded = {t["number"]: t for t in seed_tasks()}
    for item in items:
        assert item["task"] == seeded[item["number"]]["task"]
        assert item["lead_units_text"] == seeded[item["number"]]["lead_units_text"]
        assert item["deadline_kind"] == seeded[item["number"]]["deadline_kind"]
    assert items[18]["deadline_month"] == 10
    assert items[4]["deadline_date"] == "2018-12-31"


def test_a_passed_fixed_deadline_without_done_is_overdue_until_done(
    client: TestClient, province: Any
) -> None:
    assert task(client, province.headers, FIXED_TASK)["overdue"] is True
    going = report(client, province.headers, FIXED_TASK, status="in_progress", percent=80)
    assert going.status_code == 201, going.text
    still = task(client, province.headers, FIXED_TASK)
    assert still["overdue"] is True
    assert still["last_report"]["percent"] == 80
    assert report(client, province.headers, FIXED_TASK, status="done").status_code == 201
    done = task(client, province.headers, FIXED_TASK)
    assert (done["overdue"], done["status"], done["status_name"]) == (False, "done", "已完成")


def test_a_yearly_task_is_overdue_until_its_period_is_done(
    client: TestClient, province: Any
) -> None:
    before = task(client, province.headers, YEARLY_OCTOBER_TASK)
    assert before["overdue"] is True
    period = before["period_year"]
    assert period in (local_today().year, local_today().year - 1)
    response = report(
        client,
        province.headers,
        YEARLY_OCTOBER_TASK,
        status="done",
        period_year=period,
        reporting_unit="省总工会",
        text=f"{period}年度工作室批次已建成",
    )
    assert response.status_code == 201, response.text
    assert task(client, province.headers, YEARLY_OCTOBER_TASK)["overdue"] is False


def test_long_term_tasks_are_never_overdue(client: TestClient, province: Any) -> None:
    assert task(client, province.headers, LONG_TERM_TASK)["overdue"] is False
    overdue = ledger(client, province.headers, overdue=True)["items"]
    assert LONG_TERM_TASK not in [t["number"] for t in overdue]
    assert all(t["deadline_kind"] in ("fixed_date", "yearly_by_month") for t in overdue)
    assert FIXED_TASK in [t["number"] for t in overdue]


def test_the_latest_report_is_shown(client: TestClient, province: Any) -> None:
    earlier = (local_today() - timedelta(days=10)).isoformat()
    report(client, province.headers, LONG_TERM_TASK, text="较新进展", reporting_unit="省总工会")
    report(client, province.headers, LONG_TERM_TASK, text="较早进展", report_date=earlier)
    shown = task(client, province.headers, LONG_TERM_TASK)["last_report"]
    assert shown["text"] == "较新进展"
    url = client.app.url_path_for("task_report_list", number=str(LONG_TERM_TASK))
    reports = client.get(url, headers=province.headers).json()
    assert [r["text"] for r in reports["items"]] == ["较新进展", "较早进展"]
    assert reports["total"] == 2


REFUSED_REPORTS = [
    ({"reporting_unit": "省交通运输厅"}, "unknown_reporting_unit"),
    ({"report_date": "2999-01-01"}, "report_date_in_future"),
    ({"status": "done", "percent": 60}, "percent_below_done"),
    ({"period_year": 2010}, "invalid_period_year"),
]


@pytest.mark.parametrize(("fields", "code"), REFUSED_REPORTS)
def test_bad_reports_are_refused_in_chinese(
    client: TestClient, province: Any, fields: dict[str, Any], code: str
) -> None:
    response = report(client, province.headers, FIXED_TASK, **fields)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    assert body["errors"][0]["code"] == code
    assert body["detail"].startswith("进展报告有误")


def test_unknown_task_is_404(client: TestClient, province: Any) -> None:
    url = client.app.url_path_for("task_get", number="26")
    assert client.get(url, headers=province.headers).status_code == 404


def test_reports_are_audited(client: TestClient, db: Session, province: Any) -> None:
    report(client, province.headers, FIXED_TASK, status="done")
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.target == f"key_task:{FIXED_TASK}")
    ).one()
    assert event.action == "task.report.add"
    assert HR in event.detail


def test_auditor_reads_but_cannot_report(
    client: TestClient, login: Callable[..., Any], db: Session
) -> None:
    auditor = login("auditor")
    db.commit()
    assert len(ledger(client, auditor.headers)["items"]) == 25
    assert report(client, auditor.headers, FIXED_TASK).status_code == 403


def test_export_reads_back_in_the_tables_columns(client: TestClient, province: Any) -> None:
    report(client, province.headers, FIXED_TASK, status="done", percent=100, text="特殊标识已加载")
    response = client.get(client.app.url_path_for("task_export"), headers=province.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert len(rows) == 26
    by_number = {row[0]: row for row in rows[1:]}
    fixed = by_number[FIXED_TASK]
    assert fixed[1] == "依托省级技工蓝卡资源库，在蓝卡中加载高技能领军人才特殊标识"
    assert fixed[2] == "省人力资源社会保障厅"
    assert fixed[3] == "省教育厅、省住建厅、省公安厅、省卫计委等"
    assert fixed[4] == "2018年12月底前"
    assert fixed[5] == f"{local_today().isoformat()} {HR}：特殊标识已加载（100%）"
    assert fixed[6] == "已完成"
    assert by_number[6][6] == "已逾期"
    assert by_number[LONG_TERM_TASK][5] is None
    assert by_number[LONG_TERM_TASK][6] == "未报送进展"
