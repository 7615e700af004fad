"""统计分析: the figures of the register and of its use, each as a chart (SVG drawn on the
server) and as its table, and the quarter's 工作情况报告 to download. The province's
people see the province, a city operator their own city."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.filing.calendar import current_period
from app.filing.constants import PERIOD_PATTERN
from app.pages.charts import bar_chart_svg, svg_data_url
from app.pages.rendering import render
from app.pages.session import page_gate
from app.registry.markers import local_today
from app.registry.statistics import marker_changes_by_month, registry_figures
from app.statistics.activity import lookups_by_month
from app.statistics.report import period_report_xlsx, report_scope
from app.statistics.router import report_response
from app.statistics.tables import activity_tables, changes_table, lookup_tables, registry_tables

router = APIRouter()

Reader = Annotated[
    Principal,
    Depends(page_gate(Role.province_admin, Role.auditor, Role.city_operator)),
]


@router.get("/oversight/statistics", name="page_statistics")
def statistics_page(request: Request, reader: Reader, session: SessionDep) -> Response:
    today = local_today()
    tables = [
        *registry_tables(registry_figures(session, reader, today=today), reader),
        changes_table(marker_changes_by_month(session, reader, today=today)),
        *lookup_tables(lookups_by_month(session, reader)),
        *activity_tables(session, reader),
    ]
    charts = {
        table.key: svg_data_url(bar_chart_svg(table))
        for table in tables
        if table.chart and table.rows
    }
    context = {
        "tables": tables,
        "charts": charts,
        "scope": report_scope(reader),
        "today": today,
        "period": current_period(today),
    }
    return render(request, "statistics.html", context)


@router.get("/oversight/statistics/report.xlsx", name="page_statistics_report")
def statistics_report(
    reader: Reader,
    session: SessionDep,
    period: Annotated[str, Query(pattern=PERIOD_PATTERN)],
) -> Response:
    body = period_report_xlsx(session, reader, period, today=local_today())
    return report_response(body, reader, period)
