"""The period report (工作情况报告) as XLSX for a quarter: a sheet per topic, Chinese
headers, titles that name the period and the day the figures were taken, ready to send
upward without editing. A city operator's report covers their own city."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.reference import city_names
from app.filing.calendar import filing_calendar
from app.filing.constants import PERIOD_PATTERN
from app.registry.statistics import marker_changes_by_month, registry_figures
from app.statistics.activity import lookups_by_month
from app.statistics.tables import (
    Table,
    changes_table,
    filing_table,
    lookup_tables,
    registry_tables,
)

REPORT_TITLE = "工作情况报告"


def period_months(period: str) -> list[str]:
    """The three months ("YYYY-MM") of a quarter such as 2026Q4."""
    if re.fullmatch(PERIOD_PATTERN, period) is None:
        raise ValueError(f"not a period: {period!r}")
    year, quarter = int(period[:4]), int(period[5])
    return [f"{year}-{month:02d}" for month in range(quarter * 3 - 2, quarter * 3 + 1)]


def period_label(period: str) -> str:
    return f"{period[:4]}年第{'一二三四'[int(period[5]) - 1]}季度"


def report_scope(caller: Principal) -> str:
    return city_names().get(caller.city_code, caller.city_code) if caller.city_code else "全省"


def report_sheets(
    session: Session, caller: Principal, period: str, *, today: date
) -> list[tuple[str, list[Table]]]:
    months = set(period_months(period))
    calendar = filing_calendar(session, period, city_code=caller.city_code)
    standings = {c.city_code: c.standing(today, calendar.deadline) for c in calendar.cities}
    changes = marker_changes_by_month(session, caller, today=today)
    lookups = [row for row in lookups_by_month(session, caller) if row.month in months]
    return [
        ("报送情况", [filing_table(calendar, standings)]),
        ("持证与标识", registry_tables(registry_figures(session, caller, today=today), caller)),
        ("标识变动", [changes_table({m: c for m, c in changes.items() if m in months})]),
        ("查询情况", lookup_tables(lookups)),
    ]


def period_report_xlsx(session: Session, caller: Principal, period: str, *, today: date) -> bytes:
    heading = f"{report_scope(caller)}高技能领军人才{REPORT_TITLE}（{period_label(period)}）"
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new workbook has one sheet
    workbook.remove(first)
    for name, tables in report_sheets(session, caller, period, today=today):
        sheet = workbook.create_sheet(name)
        sheet.append([heading])
        sheet.append([f"数据截至 {today.isoformat()}（北京时间）"])
        sheet["A1"].font = Font(bold=True, size=14)
        for table in tables:
            sheet.append([])
            sheet.append([table.title])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            sheet.append(table.headers)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            if not table.rows:
                sheet.append(["（无）"])
            for row in table.rows:
                sheet.append(row)
            if table.note:
                sheet.append([f"注：{table.note}"])
        for column in "ABCDEFG":
            sheet.column_dimensions[column].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
