"""The period report (工作情况报告) as XLSX: it opens, and its figures are those of the data
filed in the test."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.core.reference import city_names
from app.filing.calendar import current_period
from app.lookup.models import LookupRecord
from app.registry.markers import local_today
from tests.filing.api import submit_and_approve, upload
from tests.filing.writers import people, write_json
from tests.lookup.test_lookup import ALL_SCOPES, lookup

HEFEI, WUHU = "340100", "340200"
Rows = list[tuple[Any, ...]]


def _report(client: TestClient, headers: dict[str, str], period: str) -> dict[str, Rows]:
    url = client.app.url_path_for("statistics_report")  # type: ignore[attr-defined]
    response = client.get(url, headers=headers, params={"period": period})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def _row(rows: Rows, first: str) -> tuple[Any, ...]:
    return next(row for row in rows if row[0] == first)


def test_the_quarters_report_has_a_sheet_per_topic_with_the_filed_figures(
    tmp_path: Path,
    client: TestClient,
    db: Session,
    login: Callable[..., Any],
    partner_login: Callable[..., Any],
) -> None:
    period = current_period(local_today())
    city, province = login("city_operator", HEFEI), login("province_admin")
    filed = people(41, 2, city_code=HEFEI)
    submission = upload(client, city.headers, write_json(tmp_path / "f.json", filed), period=period)
    submit_and_approve(client, city, province, submission.json()["id"])
    partner = partner_login(ALL_SCOPES)
    lookup(client, partner.headers, id_number=filed[0]["id_number"])
    db.add(  # a lookup of an earlier year: not in this quarter's report
        LookupRecord(
            occurred_at=datetime(2020, 5, 1, tzinfo=UTC),
            caller_kind="partner",
            caller_id=partner.partner_id,
            caller_name=partner.name,
            service="housing",
            purpose="核查",
            query_kind="id_number",
            outcome="priority",
        )
    )
    db.commit()
    month = local_today().strftime("%Y-%m")

    sheets = _report(client, province.headers, period)

    assert list(sheets) == ["报送情况", "持证与标识", "标识变动", "查询情况"]
    assert sheets["报送情况"][0][0].startswith("全省高技能领军人才工作情况报告")
    filing = sheets["报送情况"]
    assert _row(filing, "合肥市")[1:] == ("已报送", "已备案")
    assert _row(filing, "芜湖市")[1:] in {("未报送", "本期无报送"), ("逾期未报", "本期无报送")}
    assert sum(1 for row in filing if row[0] in city_names().values()) == 16
    holders = sheets["持证与标识"]
    assert _row(holders, "合肥市")[1] == 2 and _row(holders, "芜湖市")[1] == 0
    assert _row(holders, "有效")[1] == 2
    assert _row(sheets["标识变动"], month)[1:] == (2, 0, 0, 0, 0, 0)
    lookups = sheets["查询情况"]
    assert _row(lookups, month)[1:4] == (1, 0, 0)
    assert all(row[0] != "2020-05" for row in lookups)

    own = _report(client, login("city_operator", WUHU).headers, period)
    assert own["报送情况"][0][0].startswith("芜湖市")
    assert [row[0] for row in own["报送情况"] if row[0] in city_names().values()] == ["芜湖市"]
    assert _row(own["持证与标识"], "芜湖市")[1] == 0
    assert all(row[0] != "合肥市" for row in own["持证与标识"])
    assert all(row[0] != month for row in own["标识变动"])


def test_a_malformed_period_is_422(client: TestClient, login: Callable[..., Any]) -> None:
    url = client.app.url_path_for("statistics_report")  # type: ignore[attr-defined]
    headers = login("auditor").headers
    assert client.get(url, headers=headers, params={"period": "2026Q5"}).status_code == 422
