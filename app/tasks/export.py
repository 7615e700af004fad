"""The ledger as an XLSX workbook, in the columns of the notice's own table plus progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from app.tasks.present import progress_text, status_text
from app.tasks.service import LedgerRow

HEADERS = ("序号", "重点任务", "牵头单位", "配合单位", "完成时限", "最新进展", "状态")
_WIDTHS = (6, 48, 24, 30, 16, 48, 16)
_OVERDUE_FILL = PatternFill("solid", start_color="FFF4CCCC", end_color="FFF4CCCC")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_workbook(rows: Sequence[LedgerRow], today: date) -> bytes:
    """Header on row 1, one task per row after it; overdue rows are shaded red."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = f"重点任务分工表（{today.isoformat()}）"[:31]
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        task = row.task
        sheet.append(
            (
                task.number,
                task.task,
                task.lead_units_text,
                task.cooperating_units_text,
                task.deadline_text,
                progress_text(row.last_report),
                status_text(row),
            )
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if row.assessment.overdue:
                cell.fill = _OVERDUE_FILL
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
