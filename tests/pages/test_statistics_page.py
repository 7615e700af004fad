"""The statistics page (统计分析): each chart an SVG drawn on the server, its figures in a
table beside it; the quarter's report downloads from it. A city sees its own figures."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.filing.calendar import current_period
from app.registry.markers import local_today
from tests.conftest import Login
from tests.lookup.factories import make_talent


def _section(html: str, key: str) -> str:
    found = re.search(rf'<section[^>]*id="{key}">(.*?)</section>', html, re.S)
    assert found, key
    return found.group(1)


def _row(section: str, label: str) -> list[str]:
    found = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', section, re.S)
    assert found, label
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def test_the_province_sees_charts_and_tables_of_its_figures(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    for city in ("340100", "340100", "340200"):
        make_talent(db, city_code=city, occupation="电工")
    make_talent(db, city_code="340200", marker="suspended")
    db.commit()
    sign_in("province_admin")

    response = client.get(client.app.url_path_for("page_statistics"))  # type: ignore[attr-defined]

    assert response.status_code == 200
    html = response.text
    assert "统计分析 · 全省" in html
    by_city = _section(html, "holders-by-city")
    assert _row(by_city, "合肥市") == ["2"] and _row(by_city, "芜湖市") == ["1"]
    assert _row(by_city, "黄山市") == ["0"]
    assert _row(_section(html, "markers-by-state"), "已暂停") == ["1"]
    assert _row(_section(html, "holders-by-occupation"), "电工") == ["3"]
    chart = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', by_city)
    assert chart
    svg = base64.b64decode(chart.group(1)).decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "合肥市" in svg and "Noto Sans CJK SC" in svg


def test_a_city_sees_its_own_figures_and_downloads_its_report(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    make_talent(db, city_code="340100")
    make_talent(db, city_code="340200")
    db.commit()
    sign_in("city_operator", "340200")

    html = client.get(client.app.url_path_for("page_statistics")).text  # type: ignore[attr-defined]

    assert "统计分析 · 芜湖市" in html
    by_city = _section(html, "holders-by-city")
    assert _row(by_city, "芜湖市") == ["1"] and "合肥市" not in by_city
    period = current_period(local_today())
    report = client.get(
        client.app.url_path_for("page_statistics_report"),  # type: ignore[attr-defined]
        params={"period": period},
    )
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content))["持证与标识"]
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[0][0]).startswith("芜湖市高技能领军人才工作情况报告")
    assert ("芜湖市", 1) in rows and all(row[0] != "合肥市" for row in rows)
