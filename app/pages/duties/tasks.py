"""重点任务分工表: the province's ledger of the notice's 25 tasks, overdue ones first in view,
with progress reports recorded on behalf of the responsible units and the XLSX export."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.paging import PageNumber
from app.pages.duties.common import (
    PAGE_SIZE,
    Admin,
    ProvinceReader,
    page_link,
    pages_of,
    refusal_of,
)
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.registry.markers import local_today
from app.tasks import service
from app.tasks.export import XLSX_MEDIA_TYPE, ledger_workbook
from app.tasks.present import REPORT_STATUS_ZH, report_out, task_out
from app.tasks.schemas import ReportCreate

router = APIRouter()

TaskNumber = Annotated[int, Path(ge=1, le=999)]
_LABELS = {
    "report_date": "报告日期",
    "reporting_unit": "报送单位",
    "text": "进展情况",
    "status": "状态",
    "percent": "完成进度",
    "period_year": "所属年度",
}


@router.get("/tasks", name="page_task_ledger")
def task_ledger(
    request: Request,
    reader: ProvinceReader,
    session: SessionDep,
    show: Annotated[Literal["all", "overdue"], Query()] = "all",
) -> Response:
    today = local_today()
    rows = service.ledger(session, today)
    shown = service.filter_ledger(rows, overdue=True if show == "overdue" else None, status=None)
    context = {
        "items": [task_out(r) for r in shown],
        "task_count": len(rows),
        "overdue_count": sum(1 for r in rows if r.assessment.overdue),
        "show": show,
        "today": today,
    }
    return render(request, "duties/task_ledger.html", context)


@router.get("/tasks/export.xlsx", name="page_task_ledger_export")
def task_ledger_export(reader: ProvinceReader, session: SessionDep) -> Response:
    today = local_today()
    content = ledger_workbook(service.ledger(session, today), today)
    name = quote(f"重点任务分工表-{today.isoformat()}.xlsx")
    disposition = (
        f"attachment; filename=\"key-tasks-{today.isoformat()}.xlsx\"; filename*=UTF-8''{name}"
    )
    return Response(
        content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition}
    )


@router.get("/tasks/{number}", name="page_task_detail")
def task_detail(
    request: Request,
    number: TaskNumber,
    reader: ProvinceReader,
    session: SessionDep,
    page: PageNumber = 1,
    notice: str = "",
) -> Response:
    message = "进展报告已保存。" if notice == "reported" else ""
    return _task_page(request, session, reader, number, page=page, notice=message)


@router.post("/tasks/{number}/reports", name="page_task_report_submit")
def task_report_submit(
    request: Request,
    number: TaskNumber,
    admin: Admin,
    session: SessionDep,
    report_date: Annotated[str, Form(max_length=20)] = "",
    reporting_unit: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=3000)] = "",
    status: Annotated[str, Form(max_length=20)] = "in_progress",
    percent: Annotated[str, Form(max_length=5)] = "",
    period_year: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    task = service.get_task(session, number)
    form = {
        "report_date": report_date,
        "reporting_unit": reporting_unit,
        "text": text,
        "status": status,
        "percent": percent,
        "period_year": period_year,
    }
    try:
        data = ReportCreate.model_validate(
            {
                "report_date": report_date,
                "reporting_unit": reporting_unit,
                "text": text,
                "status": status,
                "percent": percent or None,
                "period_year": period_year or None,
            }
        )
        service.add_report(session, admin, task, data, today=local_today())
    except (ValidationError, AppError) as exc:
        message, http_status = refusal_of(exc, _LABELS)
        raise FormRefused(
            lambda again, retry: _task_page(request, again, admin, number, retry=retry),
            error=message,
            status=http_status,
            form=form,
        ) from exc
    target = request.app.url_path_for("page_task_detail", number=str(number))
    return RedirectResponse(f"{target}?notice=reported", status_code=303)


def _task_page(
    request: Request,
    session: Session,
    reader: Principal,
    number: int,
    *,
    page: int = 1,
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    today = local_today()
    task = service.get_task(session, number)
    reports, total = service.list_reports(session, task, page=page, page_size=PAGE_SIZE)
    context = {
        "item": task_out(service.task_row(session, task, today)),
        "reports": [report_out(r) for r in reports],
        "page": page,
        "pages": pages_of(total),
        "page_url": page_link(
            str(request.app.url_path_for("page_task_detail", number=str(number)))
        ),
        "units": [*task.lead_units, *task.cooperating_units],
        "report_statuses": REPORT_STATUS_ZH,
        "can_report": reader.role == Role.province_admin,
        "form": retry.form
        if retry
        else {"report_date": today.isoformat(), "status": "in_progress"},
        "today": today,
        "notice": notice,
        "error": retry.error if retry else "",
    }
    status = retry.status if retry else 200
    return render(request, "duties/task_detail.html", context, status_code=status)
