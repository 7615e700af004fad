"""市级备案: a city operator uploads the city's file, reads its errors and diff, submits it.

Everything is the filing service's: validation (`intake.take_in`), the error report, the
preview and the transition (`review.submit`). The upload form carries a fresh
Idempotency-Key, so a double click files one submission, not two.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.paging import PageNumber
from app.core.settings import get_settings
from app.core.transactions import TransactionsDep
from app.filing import queries, review
from app.filing.calendar import current_period, days_left, filing_calendar
from app.filing.constants import STATUS_ZH, WITHDRAWABLE, SubmissionStatus
from app.filing.deps import valid_submission
from app.filing.errors import invalid_field
from app.filing.intake import reading_session, take_in
from app.filing.models import Submission
from app.filing.schemas import submission_summary
from app.filing.templates import template_csv, template_xlsx
from app.pages.confirm import Confirmation, Confirmed, confirm_page
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.pages.session import MultipartBody, page_gate
from app.pages.submissions import (
    XLSX_TYPE,
    attachment,
    report_download,
    submission_context,
)
from app.registry.markers import local_today

router = APIRouter()

CityUser = Annotated[Principal, Depends(page_gate(Role.city_operator))]
HISTORY_SIZE = 30
_NOTICES = {
    "submitted": "已提交省级审核。审核结果将显示在本页。",
    "withdrawn": "该报送已撤回，仍保留在历次报送中。",
}


@dataclass(frozen=True)
class History:
    """Which page of the city's upload history is shown, and what it is searched for."""

    page: int = 1
    search: str = ""
    status: str = ""


@router.get("/city", name="page_city_home")
def city_home(
    request: Request,
    operator: CityUser,
    session: SessionDep,
    page: PageNumber = 1,
    q: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[SubmissionStatus | Literal[""], Query()] = "",
    notice: str = "",
) -> Response:
    history = History(page=page, search=q.strip(), status=status)
    return _home_page(
        request,
        session,
        operator,
        period=current_period(local_today()),
        history=history,
        notice=_NOTICES.get(notice, ""),
    )


@router.post("/city/submissions", name="page_city_upload")
def city_upload(
    request: Request,
    operator: CityUser,
    session: SessionDep,
    transactions: TransactionsDep,
    received: MultipartBody,
) -> Response:
    """The API's upload path: the body streamed under the size cap, then `take_in`."""
    assert operator.city_code is not None  # a city operator is bound to a city
    fields = received.fields if received is not None else {}
    period = fields.get("period", "").strip()
    try:
        if received is None:
            raise invalid_field("file", "required", "请以上传表单选择备案文件。")
        intake = take_in(
            session,
            operator,
            received.submission().upload,
            city_code=operator.city_code,
            period=period,
            idempotency_key=fields.get("idempotency_key", "")[:200] or None,
            today=local_today(),
            reader=partial(reading_session, transactions),
        )
    except AppError as exc:
        errors = getattr(exc, "errors", None)
        raise FormRefused(
            lambda again_session, retry: _home_page(
                request, again_session, operator, period=retry.form["period"], retry=retry
            ),
            error=errors[0]["message"] if errors else exc.detail,
            status=exc.status,
            form={"period": period},
        ) from exc
    return _to_detail(request, intake.submission.id, "")


@router.get("/city/submissions/{submission_id}", name="page_city_submission")
def city_submission(
    request: Request,
    submission_id: uuid.UUID,
    operator: CityUser,
    session: SessionDep,
    page: PageNumber = 1,
    outcome: str = "",
    notice: str = "",
) -> Response:
    submission = valid_submission(submission_id, operator, session)
    context = submission_context(
        request,
        session,
        submission,
        detail_route="page_city_submission",
        page=page,
        outcome=outcome,
    )
    context["notice"] = _NOTICES.get(notice, "")
    return render(request, "city_submission.html", context)


@router.post("/city/submissions/{submission_id}/submit", name="page_city_submit")
def city_submit(
    request: Request,
    submission_id: uuid.UUID,
    operator: CityUser,
    session: SessionDep,
    confirmed: Confirmed = False,
) -> Response:
    submission = valid_submission(submission_id, operator, session)
    if not confirmed and submission.status == SubmissionStatus.validated:
        return confirm_page(request, _submitting(request, submission))
    review.submit(session, operator, submission)
    return _to_detail(request, submission_id, "submitted")


@router.post("/city/submissions/{submission_id}/withdraw", name="page_city_withdraw")
def city_withdraw(
    request: Request, submission_id: uuid.UUID, operator: CityUser, session: SessionDep
) -> Response:
    """The filing service's withdrawal of an upload never submitted; back to the history."""
    review.withdraw(session, operator, valid_submission(submission_id, operator, session))
    target = request.app.url_path_for("page_city_home")
    return RedirectResponse(f"{target}?notice=withdrawn", status_code=303)


def _submitting(request: Request, submission: Submission) -> Confirmation:
    counts = submission_summary(submission).counts
    detail = request.app.url_path_for("page_city_submission", submission_id=str(submission.id))
    return Confirmation(
        title=f"确认提交 {submission.period} 报送至省级审核？",
        consequences=[
            f"全部 {counts.rows} 行交省级审核：新增 {counts.create} 人、更新 {counts.update} 人、"
            f"退出 {counts.retire} 人、无变化 {counts.unchanged} 人；",
            "提交后不能撤回或修改，如有错误只能待省级退回后重新上传。",
        ],
        button="确认提交省级审核",
        action=str(request.app.url_path_for("page_city_submit", submission_id=str(submission.id))),
        back=str(detail),
        danger=False,
    )


@router.get("/city/submissions/{submission_id}/report.csv", name="page_city_report")
def city_report(submission_id: uuid.UUID, operator: CityUser, session: SessionDep) -> Response:
    return report_download(session, valid_submission(submission_id, operator, session))


@router.get("/city/templates/template.csv", name="page_city_template_csv")
def city_template_csv(_operator: CityUser) -> Response:
    return attachment(template_csv(), "text/csv; charset=utf-8", "备案模板.csv", "template.csv")


@router.get("/city/templates/template.xlsx", name="page_city_template_xlsx")
def city_template_xlsx(_operator: CityUser, session: SessionDep) -> Response:
    body = template_xlsx(session.connection())
    return attachment(body, XLSX_TYPE, "备案模板.xlsx", "template.xlsx")


def _home_page(
    request: Request,
    session: Session,
    operator: Principal,
    *,
    period: str,
    history: History | None = None,
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    shown = history or History()
    found = queries.submission_page(
        session,
        operator,
        status=SubmissionStatus(shown.status) if shown.status else None,
        page=shown.page,
        page_size=HISTORY_SIZE,
        search=shown.search or None,
    )
    chosen = {k: v for k, v in {"q": shown.search, "status": shown.status}.items() if v}
    base = str(request.app.url_path_for("page_city_home"))
    today = local_today()
    this_quarter = current_period(today)
    calendar = filing_calendar(session, this_quarter, city_code=operator.city_code)
    context = {
        "filing": calendar.cities[0],
        "filing_period": this_quarter,
        "filing_deadline": calendar.deadline,
        "filing_standing": calendar.cities[0].standing(today, calendar.deadline),
        "days_left": days_left(this_quarter, today),
        "submissions": [submission_summary(s) for s in found.items],
        "total": found.total,
        "history": shown,
        "history_pages": max(1, -(-found.total // HISTORY_SIZE)),
        "history_url": lambda n: f"{base}?{urlencode({**chosen, 'page': n})}#history-title",
        "statuses": STATUS_ZH,
        "withdrawable": {status.value for status in WITHDRAWABLE},
        "notice": notice,
        "period": period,
        "idempotency_key": str(uuid.uuid4()),
        "max_upload_mb": get_settings().max_upload_mb,
        "error": retry.error if retry else "",
    }
    return render(request, "city.html", context, status_code=retry.status if retry else 200)


def _to_detail(request: Request, submission_id: uuid.UUID, notice: str) -> Response:
    target = request.app.url_path_for("page_city_submission", submission_id=str(submission_id))
    return RedirectResponse(f"{target}?notice={notice}" if notice else target, status_code=303)
