"""The task-ledger pages: overdue tasks highlighted, the report form, the export."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.registry.markers import local_today
from app.tasks.export import HEADERS
from tests.duties_pages import post_form, sign_in


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))


def test_ledger_highlights_the_overdue_tasks(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    sign_in(client, db, login, "province_admin")
    page = client.get(url(client, "page_task_ledger"))
    assert page.status_code == 200
    assert "依托省级技工蓝卡资源库" in page.text
    assert "<mark>5</mark>" in page.text  # a 2018 deadline with no report is overdue
    assert "<mark>1</mark>" not in page.text  # long-term
    only = client.get(url(client, "page_task_ledger"), params={"show": "overdue"})
    assert "定期选派高技能领军人才" not in only.text


def test_province_reports_progress_through_the_form(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    sign_in(client, db, login, "province_admin")
    detail = url(client, "page_task_detail", number="5")
    data = {
        "reporting_unit": "省人力资源社会保障厅",
        "report_date": local_today().isoformat(),
        "status": "done",
        "percent": "100",
        "text": "蓝卡特殊标识已全部加载",
    }
    response = post_form(client, detail, url(client, "page_task_report_submit", number="5"), data)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "进展报告已保存" in page.text
    assert "蓝卡特殊标识已全部加载" in page.text
    assert "<mark>5</mark>" not in client.get(url(client, "page_task_ledger")).text


def test_report_from_a_unit_outside_the_task_is_explained(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    sign_in(client, db, login, "province_admin")
    detail = url(client, "page_task_detail", number="5")
    data = {
        "reporting_unit": "省交通运输厅",
        "report_date": local_today().isoformat(),
        "status": "in_progress",
        "text": "推进中",
    }
    response = post_form(client, detail, url(client, "page_task_report_submit", number="5"), data)
    assert response.status_code == 422
    assert "报送单位应为本任务的牵头或配合单位之一" in response.text
    assert "推进中" in response.text  # what was typed is kept


def test_export_from_the_page_reads_back(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    sign_in(client, db, login, "auditor")
    response = client.get(url(client, "page_task_ledger_export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == list(range(1, 26))


def test_auditor_reads_without_the_form_and_cities_are_kept_out(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    sign_in(client, db, login, "auditor")
    page = client.get(url(client, "page_task_detail", number="19"))
    assert page.status_code == 200
    assert "每年10月底前" in page.text
    assert "保存进展报告" not in page.text
    sign_in(client, db, login, "city_operator", "340100")
    assert client.get(url(client, "page_task_ledger")).status_code == 403
