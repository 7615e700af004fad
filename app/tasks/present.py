"""Ledger rows as responses, and the words the ledger shows for a report and a status."""

from __future__ import annotations

from app.tasks.deadlines import TASK_STATUS_ZH, DeadlineKind, ReportStatus
from app.tasks.models import TaskReport
from app.tasks.schemas import ReportOut, TaskOut
from app.tasks.service import LedgerRow

REPORT_STATUS_ZH: dict[ReportStatus, str] = {
    ReportStatus.in_progress: "推进中",
    ReportStatus.done: "已完成",
}


def report_out(report: TaskReport) -> ReportOut:
    status = ReportStatus(report.status)
    return ReportOut(
        id=report.id,
        task_number=report.task_number,
        report_date=report.report_date,
        period_year=report.period_year,
        reporting_unit=report.reporting_unit,
        text=report.text,
        status=status,
        status_name=REPORT_STATUS_ZH[status],
        percent=report.percent,
        recorded_by=report.recorded_by,
        recorded_at=report.recorded_at,
    )


def task_out(row: LedgerRow) -> TaskOut:
    task, assessment = row.task, row.assessment
    return TaskOut(
        number=task.number,
        task=task.task,
        lead_units=task.lead_units,
        lead_units_text=task.lead_units_text,
        cooperating_units=task.cooperating_units,
        cooperating_units_text=task.cooperating_units_text,
        deadline_text=task.deadline_text,
        deadline_kind=DeadlineKind(task.deadline_kind),
        deadline_date=task.deadline_date,
        deadline_month=task.deadline_month,
        status=assessment.status,
        status_name=TASK_STATUS_ZH[assessment.status],
        overdue=assessment.overdue,
        period_year=assessment.period_year,
        last_report=report_out(row.last_report) if row.last_report else None,
    )


def progress_text(report: TaskReport | None) -> str:
    """One line for the ledger: `2026-11-20 省人力资源社会保障厅：……（60%）`."""
    if report is None:
        return ""
    percent = f"（{report.percent}%）" if report.percent is not None else ""
    return f"{report.report_date.isoformat()} {report.reporting_unit}：{report.text}{percent}"


def status_text(row: LedgerRow) -> str:
    """The status word, with the period for yearly tasks: `已逾期（2025年度）`."""
    words = TASK_STATUS_ZH[row.assessment.status]
    if row.assessment.period_year is not None:
        return f"{words}（{row.assessment.period_year}年度）"
    return words
