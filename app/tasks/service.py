"""The key-task ledger: progress reports and each task's standing, for the API and pages.

Reports are recorded by a province admin on behalf of the responsible units: the lead and
cooperating units are provincial departments, not users of this system.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core import audit
from app.core.errors import InvalidInput, NotFound, field_error
from app.core.paging import paginate
from app.tasks.deadlines import (
    FIRST_PERIOD_YEAR,
    Assessment,
    Deadline,
    DeadlineKind,
    ReportFacts,
    ReportStatus,
    TaskStatus,
    assess,
)
from app.tasks.models import KeyTask, TaskReport
from app.tasks.schemas import ReportCreate


@dataclass(frozen=True)
class LedgerRow:
    task: KeyTask
    assessment: Assessment
    last_report: TaskReport | None


def get_task(session: Session, number: int) -> KeyTask:
    task = session.get(KeyTask, number)
    if task is None:
        raise NotFound(f"未找到序号为{number}的重点任务。")
    return task


def add_report(
    session: Session, actor: Principal, task: KeyTask, data: ReportCreate, *, today: date
) -> TaskReport:
    """Record a unit's progress report on a task."""
    _check_report(task, data, today)
    report = TaskReport(
        task_number=task.number,
        report_date=data.report_date,
        period_year=data.period_year or data.report_date.year,
        reporting_unit=data.reporting_unit,
        text=data.text,
        status=data.status.value,
        percent=data.percent,
        recorded_by=actor.actor_id,
    )
    session.add(report)
    session.flush()
    audit.record(
        session,
        actor,
        "task.report.add",
        f"key_task:{task.number}",
        {
            "report_id": report.id,
            "reporting_unit": report.reporting_unit,
            "status": report.status,
            "percent": report.percent,
            "period_year": report.period_year,
        },
    )
    return report


def ledger(session: Session, today: date) -> list[LedgerRow]:
    """Every task in the table's order, judged on `today`, with its latest report."""
    reports: dict[int, list[TaskReport]] = defaultdict(list)
    for report in session.scalars(select(TaskReport).order_by(TaskReport.id)):
        reports[report.task_number].append(report)
    rows = []
    for task in session.scalars(select(KeyTask).order_by(KeyTask.number)):
        own = reports[task.number]
        rows.append(LedgerRow(task, assess_task(task, own, today), latest_report(own)))
    return rows


def filter_ledger(
    rows: list[LedgerRow], *, overdue: bool | None, status: TaskStatus | None
) -> list[LedgerRow]:
    return [
        row
        for row in rows
        if (overdue is None or row.assessment.overdue == overdue)
        and (status is None or row.assessment.status == status)
    ]


def task_row(session: Session, task: KeyTask, today: date) -> LedgerRow:
    reports = list(
        session.scalars(
            select(TaskReport).where(TaskReport.task_number == task.number).order_by(TaskReport.id)
        )
    )
    return LedgerRow(task, assess_task(task, reports, today), latest_report(reports))


def list_reports(
    session: Session, task: KeyTask, *, page: int, page_size: int
) -> tuple[list[TaskReport], int]:
    """A task's reports, newest first."""
    query = select(TaskReport).where(TaskReport.task_number == task.number)
    query = query.order_by(TaskReport.report_date.desc(), TaskReport.id.desc())
    page_of = paginate(session, query, page=page, page_size=page_size)
    return list(page_of.items), page_of.total


def assess_task(task: KeyTask, reports: list[TaskReport], today: date) -> Assessment:
    deadline = Deadline(DeadlineKind(task.deadline_kind), task.deadline_date, task.deadline_month)
    facts = [ReportFacts(r.report_date, r.period_year, ReportStatus(r.status)) for r in reports]
    return assess(deadline, facts, today)


def latest_report(reports: list[TaskReport]) -> TaskReport | None:
    """The report of the latest date; of two on one day, the one recorded last."""
    return max(reports, key=lambda r: (r.report_date, r.id), default=None)


def _check_report(task: KeyTask, data: ReportCreate, today: date) -> None:
    errors = []
    units = [*task.lead_units, *task.cooperating_units]
    if data.reporting_unit not in units:
        errors.append(
            field_error(
                "reporting_unit",
                "unknown_reporting_unit",
                f"报送单位应为本任务的牵头或配合单位之一：{'、'.join(units)}",
            )
        )
    if data.report_date > today:
        errors.append(field_error("report_date", "report_date_in_future", "报告日期不能晚于今天"))
    if data.status is ReportStatus.done and data.percent is not None and data.percent < 100:
        errors.append(
            field_error("percent", "percent_below_done", "状态为已完成时，完成进度应为100%")
        )
    period = data.period_year
    if period is not None and not FIRST_PERIOD_YEAR <= period <= today.year + 1:
        errors.append(
            field_error(
                "period_year",
                "invalid_period_year",
                f"报告所属年度应在{FIRST_PERIOD_YEAR}年至{today.year + 1}年之间",
            )
        )
    if errors:
        raise InvalidInput(
            "进展报告有误：" + "；".join(e["message"] for e in errors),
            code=errors[0]["code"] if len(errors) == 1 else "invalid_input",
            errors=errors,
        )
