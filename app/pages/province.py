"""省级审核: the province reviews the cities' submissions and approves or rejects them.

Approval is the filing service's `review.approve`: every row filed at once or none, markers
granted and withdrawn by the registry's eligibility rule.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import AppError, Conflict
from app.core.paging import PageNumber
from app.core.reference import city_names
from app.filing import queries, review
from app.filing.constants import STATUS_ZH, SubmissionStatus
from app.filing.deps import valid_submission
from app.filing.models import Submission
from app.filing.schemas import RejectIn, submission_summary
from app.pages.confirm import Confirmation, Confirmed, confirm_page
from app.pages.errors import FormRefused, Retry, first_form_message
from app.pages.oversight import review_counts, review_titles
from app.pages.people import names_for
from app.pages.rendering import render
from app.pages.session import page_gate
from app.pages.submissions import report_download, submission_context
from app.registry.markers import local_today

router = APIRouter()

Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
QUEUE_SIZE = 200
RECENT_SIZE = 20
_NOTICES = {
    "approved": "已审核通过：全部记录已备案，符合条件的人员已获得特殊标识。",
    "rejected": "已退回该报送，市级经办人员将看到退回原因。",
}


@router.get("/province", name="page_province_home")
def province_home(request: Request, _admin: Admin, session: SessionDep) -> Response:
    pending = queries.list_submissions(
        session,
        _admin,
        status=SubmissionStatus.pending_review,
        city_code=None,
        cursor=None,
        limit=QUEUE_SIZE,
    )
    decided = [
        submission_summary(s)
        for status in (SubmissionStatus.applied, SubmissionStatus.rejected)
        for s in queries.list_submissions(
            session, _admin, status=status, city_code=None, cursor=None, limit=RECENT_SIZE
        ).items
    ]
    context = {
        "who": names_for(session, (s.decided_by for s in decided)),
        "review_counts": review_counts(session, _admin),
        "review_titles": review_titles(),
        "pending": sorted(
            (submission_summary(s) for s in pending.items), key=lambda s: (s.city_code, s.period)
        ),
        "pending_more": pending.has_more,
        "decided": sorted(decided, key=lambda s: s.decided_at or s.created_at, reverse=True)[
            :RECENT_SIZE
        ],
    }
    return render(request, "province.html", context)


@router.get("/province/submissions/{submission_id}", name="page_province_submission")
def province_submission(
    request: Request,
    submission_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    page: PageNumber = 1,
    outcome: str = "",
    notice: str = "",
) -> Response:
    return _review_page(
        request, session, admin, submission_id, page=page, outcome=outcome, notice=notice
    )


@router.post("/province/submissions/{submission_id}/approve", name="page_province_approve")
def province_approve(
    request: Request,
    submission_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    confirmed: Confirmed = False,
) -> Response:
    submission = valid_submission(submission_id, admin, session)
    try:
        if not confirmed:
            _still_pending(submission, "审核通过")
            return confirm_page(request, _approval(request, submission))
        review.approve(session, admin, submission, today=local_today())
    except AppError as exc:
        raise _refused(request, admin, submission_id, exc.detail, exc.status) from exc
    return _to_review(request, submission_id, "approved")


@router.post("/province/submissions/{submission_id}/reject", name="page_province_reject")
def province_reject(
    request: Request,
    submission_id: uuid.UUID,
    admin: Admin,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirmed: Confirmed = False,
) -> Response:
    submission = valid_submission(submission_id, admin, session)
    try:
        checked = RejectIn(reason=reason).reason
        if not confirmed:
            _still_pending(submission, "退回")
            return confirm_page(request, _rejection(request, submission, checked))
        review.reject(session, admin, submission, reason=checked)
    except ValidationError as exc:
        message = first_form_message(exc, {"reason": "退回原因"})
        raise _refused(request, admin, submission_id, message, 422) from exc
    except AppError as exc:
        raise _refused(request, admin, submission_id, exc.detail, exc.status) from exc
    return _to_review(request, submission_id, "rejected")


@router.get("/province/submissions/{submission_id}/report.csv", name="page_province_report")
def province_report(submission_id: uuid.UUID, admin: Admin, session: SessionDep) -> Response:
    return report_download(session, valid_submission(submission_id, admin, session))


def _still_pending(submission: Submission, verb_zh: str) -> None:
    """Asked to confirm a decision already taken: say so now, as the decision would."""
    if submission.status != SubmissionStatus.pending_review:
        current = STATUS_ZH.get(SubmissionStatus(submission.status), submission.status)
        raise Conflict(f"该报送当前状态为「{current}」，不能{verb_zh}。", code="invalid_transition")


def _approval(request: Request, submission: Submission) -> Confirmation:
    counts = submission_summary(submission).counts
    return Confirmation(
        title=f"确认审核通过并备案{city_names().get(submission.city_code, '')}"
        f" {submission.period} 报送？",
        consequences=[
            f"一次性备案全部 {counts.rows} 行：新增 {counts.create} 人、更新 {counts.update} 人、"
            f"退出 {counts.retire} 人、无变化 {counts.unchanged} 人；",
            "符合条件的人员获得或保留特殊标识，不再符合条件或退出的人员的标识将被收回；",
            "任何一行无法备案，则全部不备案。",
        ],
        button="确认审核通过并备案",
        action=_path(request, "page_province_approve", submission.id),
        back=_path(request, "page_province_submission", submission.id),
        danger=False,
    )


def _rejection(request: Request, submission: Submission, reason: str) -> Confirmation:
    rows = submission_summary(submission).counts.rows
    return Confirmation(
        title=f"确认退回{city_names().get(submission.city_code, '')} {submission.period} 报送？",
        consequences=[
            f"整份报送（{rows} 行）不备案，状态改为已退回，不能再审核通过；",
            f"市级经办人员将看到退回原因：{reason}",
        ],
        button="确认退回",
        action=_path(request, "page_province_reject", submission.id),
        back=_path(request, "page_province_submission", submission.id),
        fields={"reason": reason},
    )


def _path(request: Request, route: str, submission_id: uuid.UUID) -> str:
    return str(request.app.url_path_for(route, submission_id=str(submission_id)))


def _review_page(
    request: Request,
    session: Session,
    admin: Principal,
    submission_id: uuid.UUID,
    *,
    page: int = 1,
    outcome: str = "",
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    submission = valid_submission(submission_id, admin, session)
    context = submission_context(
        request,
        session,
        submission,
        detail_route="page_province_submission",
        page=page,
        outcome=outcome,
    )
    context.update(notice=_NOTICES.get(notice, ""), error=retry.error if retry else "")
    status = retry.status if retry else 200
    return render(request, "province_submission.html", context, status_code=status)


def _refused(
    request: Request, admin: Principal, submission_id: uuid.UUID, error: str, status: int
) -> FormRefused:
    return FormRefused(
        lambda session, retry: _review_page(request, session, admin, submission_id, retry=retry),
        error=error,
        status=status,
    )


def _to_review(request: Request, submission_id: uuid.UUID, notice: str) -> Response:
    target = request.app.url_path_for("page_province_submission", submission_id=str(submission_id))
    return RedirectResponse(f"{target}?notice={notice}", status_code=303)
