"""The key-task ledger (重点任务分工表): `/api/v1/tasks`."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Response

from app.access.auth import Auditor, ProvinceAdmin
from app.core.db import SessionDep
from app.core.openapi_doc import binary
from app.core.paging import PageNumber, PageSize
from app.registry.markers import local_today
from app.tasks import service
from app.tasks.deadlines import TaskStatus
from app.tasks.export import XLSX_MEDIA_TYPE, ledger_workbook
from app.tasks.present import report_out, task_out
from app.tasks.schemas import ReportCreate, ReportOut, ReportPage, TaskOut, TaskPage

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])

TaskNumber = Annotated[int, Path(ge=1, le=999)]


@router.get("", summary="The ledger: every task's standing today and its latest report")
def task_list(
    _caller: Auditor,
    session: SessionDep,
    overdue: bool | None = None,
    status: TaskStatus | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> TaskPage:
    """The key-task ledger: every task's standing today and its latest report. Auditors and
    province admins; records nothing."""
    today = local_today()
    rows = service.filter_ledger(service.ledger(session, today), overdue=overdue, status=status)
    shown = rows[(page - 1) * page_size : page * page_size]
    return TaskPage(
        as_of=today,
        items=[task_out(r) for r in shown],
        total=len(rows),
        page=page,
        page_size=page_size,
    )


@router.get(
    "/export.xlsx",
    summary="Export the ledger as XLSX in the table's own columns",
    response_class=Response,
    responses=binary(XLSX_MEDIA_TYPE, "The ledger as an XLSX workbook"),
)
def task_export(_caller: Auditor, session: SessionDep) -> Response:
    """Exports the key-task ledger as an XLSX download in the table's own columns. Auditors
    and province admins; records nothing."""
    today = local_today()
    content = ledger_workbook(service.ledger(session, today), today)
    filename = f"重点任务分工表-{today.isoformat()}.xlsx"
    disposition = (
        f'attachment; filename="key-tasks-{today.isoformat()}.xlsx"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    return Response(
        content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition}
    )


@router.get("/{number}", summary="One task, its standing today and its latest report")
def task_get(_caller: Auditor, number: TaskNumber, session: SessionDep) -> TaskOut:
    """One key task, its standing today and its latest report. Auditors and province admins;
    records nothing."""
    task = service.get_task(session, number)
    return task_out(service.task_row(session, task, local_today()))


@router.get("/{number}/reports", summary="A task's progress reports, newest first")
def task_report_list(
    _caller: Auditor,
    number: TaskNumber,
    session: SessionDep,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> ReportPage:
    """A key task's progress reports, newest first. Auditors and province admins; records
    nothing."""
    task = service.get_task(session, number)
    rows, total = service.list_reports(session, task, page=page, page_size=page_size)
    return ReportPage(
        items=[report_out(r) for r in rows], total=total, page=page, page_size=page_size
    )


@router.post(
    "/{number}/reports",
    status_code=201,
    summary="Record a progress report on behalf of a lead or cooperating unit",
)
def task_report_add(
    caller: ProvinceAdmin, number: TaskNumber, data: ReportCreate, session: SessionDep
) -> ReportOut:
    """Records a progress report on behalf of a lead or cooperating unit. Province admins
    only; the report is audited."""
    task = service.get_task(session, number)
    return report_out(service.add_report(session, caller, task, data, today=local_today()))
