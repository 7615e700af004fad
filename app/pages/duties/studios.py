"""工作室直报: a city operator or a service window enters a talent's application; the
province works the queue (accept, approve into a yearly batch, reject with a reason)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import AppError, InvalidInput, field_error
from app.core.paging import PageNumber
from app.core.reference import codes_of, name_zh
from app.core.text_fields import checked_text
from app.lookup import reads
from app.pages.confirm import Confirmation, Confirmed, confirm_page
from app.pages.duties.common import (
    PAGE_SIZE,
    Admin,
    Reader,
    page_link,
    pages_of,
    refusal_of,
    talent_choice,
    talent_search,
)
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.pages.session import page_gate
from app.registry.markers import local_today
from app.studios import service
from app.studios.constants import FIRST_BATCH_YEAR, PROGRAMMES, STATUS_ZH, ApplicationStatus
from app.studios.deps import locked_application, readable_application
from app.studios.models import StudioApplication
from app.studios.schemas import ApplicationCreate, Attachment, application_out

router = APIRouter()

Applicant = Annotated[Principal, Depends(page_gate(Role.city_operator, Role.window_clerk))]
Verb = Literal["accept", "approve", "reject"]
_PURPOSE = "项目直报申请人查找"  # why the applicant's record was read, in their access log

_LABELS = {
    "talent_id": "申请人",
    "project_type": "项目类型",
    "title": "工作室名称",
    "host_employer": "依托单位",
    "host_uscc": "依托单位统一社会信用代码",
    "plan_summary": "建设计划摘要",
    "attachments": "附件清单",
    "reason": "不予批准的理由",
    "batch_year": "批次年度",
}
_NOTICES = {
    "submitted": "申报已直接报送省级审核。",
    "accept": "已受理，进入评审。",
    "approve": "已批准，工作室已设立。",
    "reject": "已作出不予批准决定。",
}


@router.get("/studios", name="page_studio_list")
def studio_list(
    request: Request,
    reader: Reader,
    session: SessionDep,
    status: Annotated[ApplicationStatus | Literal[""], Query()] = "",
    page: PageNumber = 1,
) -> Response:
    rows, total = service.list_applications(
        session,
        reader,
        status=status or None,
        project_type=None,
        city_code=None,
        page=page,
        page_size=PAGE_SIZE,
    )
    context = {
        "items": [application_out(a) for a in rows],
        "total": total,
        "page": page,
        "pages": pages_of(total),
        "page_url": page_link(str(request.url.path), status=status),
        "status": status,
        "statuses": STATUS_ZH,
        "can_apply": reader.role == Role.city_operator,
    }
    return render(request, "duties/studio_list.html", context)


@router.get("/studios/new", name="page_studio_new")
def studio_new(
    request: Request,
    applicant: Applicant,
    session: SessionDep,
    talent_id: uuid.UUID | None = None,
    notice: str = "",
) -> Response:
    return _form_page(request, session, applicant, talent_id=talent_id, notice=notice)


@router.post("/studios/find", name="page_studio_find")
def studio_find(
    request: Request,
    applicant: Applicant,
    session: SessionDep,
    q: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Find the applicant (a POST: an ID number must not travel in a URL)."""
    try:
        return _form_page(request, session, applicant, q=q)
    except InvalidInput as exc:
        raise FormRefused(
            lambda again, retry: _form_page(request, again, applicant, search_refused=retry),
            error=exc.detail,
            status=exc.status,
        ) from exc


@router.post("/studios/new", name="page_studio_submit")
def studio_submit(
    request: Request,
    applicant: Applicant,
    session: SessionDep,
    talent_id: Annotated[uuid.UUID, Form()],
    project_type: Annotated[str, Form(max_length=40)] = "",
    title: Annotated[str, Form(max_length=400)] = "",
    host_employer: Annotated[str, Form(max_length=400)] = "",
    host_uscc: Annotated[str, Form(max_length=40)] = "",
    plan_summary: Annotated[str, Form(max_length=6000)] = "",
    attachments: Annotated[str, Form(max_length=6000)] = "",
) -> Response:
    form = {
        "project_type": project_type,
        "title": title,
        "host_employer": host_employer,
        "host_uscc": host_uscc,
        "plan_summary": plan_summary,
        "attachments": attachments,
    }
    try:
        data = ApplicationCreate(
            talent_id=talent_id,
            project_type=project_type,
            title=title,
            host_employer=host_employer,
            host_uscc=host_uscc,
            plan_summary=plan_summary,
            attachments=_attachments_of(attachments),
        )
        application = service.apply(session, applicant, data, today=local_today())
    except (ValidationError, AppError) as exc:
        message, status = refusal_of(exc, _LABELS)
        raise FormRefused(
            lambda again, retry: _form_page(
                request, again, applicant, talent_id=talent_id, retry=retry
            ),
            error=message,
            status=status,
            form=form,
        ) from exc
    if applicant.role == Role.window_clerk:
        # A window clerk does not read the queue: back to a blank form, with the outcome.
        target = request.app.url_path_for("page_studio_new")
        return RedirectResponse(f"{target}?notice=submitted", status_code=303)
    target = request.app.url_path_for("page_studio_detail", application_id=str(application.id))
    return RedirectResponse(f"{target}?notice=submitted", status_code=303)


@router.get("/studios/{application_id}", name="page_studio_detail")
def studio_detail(
    request: Request,
    application_id: uuid.UUID,
    reader: Reader,
    session: SessionDep,
    notice: str = "",
) -> Response:
    return _detail_page(request, session, reader, application_id, notice=_NOTICES.get(notice, ""))


@router.post("/studios/{application_id}/{verb}", name="page_studio_action")
def studio_action(
    request: Request,
    application_id: uuid.UUID,
    verb: Verb,
    admin: Admin,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=500)] = "",
    batch_year: Annotated[int | None, Form(ge=2000, le=2100)] = None,
    confirmed: Confirmed = False,
) -> Response:
    application = locked_application(application_id, session)
    today = local_today()
    try:
        if verb == "accept":
            service.accept(session, admin, application)
        elif verb == "approve":
            year = today.year if batch_year is None else batch_year
            if not confirmed and FIRST_BATCH_YEAR <= year <= today.year + 1:
                service.check_transition(application, "approve")
                return confirm_page(request, _decision(request, application, verb, str(year)))
            service.approve(session, admin, application, batch_year=batch_year, today=today)
        elif not reason.strip():
            message = "请填写不予批准的理由。"
            raise InvalidInput(message, errors=[field_error("reason", "required", message)])
        else:
            checked = checked_text("reason", reason.strip())
            if not confirmed:
                service.check_transition(application, "reject")
                return confirm_page(request, _decision(request, application, verb, checked))
            service.reject(session, admin, application, reason=checked)
    except AppError as exc:
        raise FormRefused(
            lambda again, retry: _detail_page(request, again, admin, application_id, retry=retry),
            error=exc.detail,
            status=exc.status,
        ) from exc
    target = request.app.url_path_for("page_studio_detail", application_id=str(application_id))
    return RedirectResponse(f"{target}?notice={verb}", status_code=303)


def _decision(
    request: Request, application: StudioApplication, verb: str, given: str
) -> Confirmation:
    """Approving (`given`: the batch year) or rejecting (`given`: the reason) one application."""
    who = f"{application.talent.name}领衔的「{application.title}」"
    detail = str(request.app.url_path_for("page_studio_detail", application_id=str(application.id)))
    action = request.app.url_path_for(
        "page_studio_action", application_id=str(application.id), verb=verb
    )
    if verb == "approve":
        return Confirmation(
            title=f"确认批准设立{who}？",
            consequences=[
                f"批准设立 1 个{name_zh(PROGRAMMES, application.project_type)}，"
                f"计入 {given} 年度批次；",
                "申报审核结束，不能再改为不予批准。",
            ],
            button="确认批准设立",
            action=str(action),
            back=detail,
            fields={"batch_year": given},
            danger=False,
        )
    return Confirmation(
        title=f"确认不予批准{who}？",
        consequences=[
            "申报审核结束，状态改为不予批准，不能再批准；",
            f"申报人将看到不予批准的理由：{given}",
        ],
        button="确认不予批准",
        action=str(action),
        back=detail,
        fields={"reason": given},
    )


def _form_page(
    request: Request,
    session: Session,
    applicant: Principal,
    *,
    q: str = "",
    talent_id: uuid.UUID | None = None,
    notice: str = "",
    retry: Retry | None = None,
    search_refused: Retry | None = None,
) -> Response:
    today = local_today()
    chosen = None
    if talent_id is not None:
        talent = reads.talent_by_id(session, applicant, talent_id, purpose=_PURPOSE, today=today)
        chosen = talent_choice(talent, today)
    refused = search_refused.error if search_refused else ""
    context = {
        **talent_search(session, applicant, q, today, purpose=_PURPOSE, refused=refused),
        "chosen": chosen,
        "form": retry.form if retry else {},
        "programmes": [row for row in codes_of(session.connection(), PROGRAMMES) if row.active],
        "by_name": applicant.role == Role.city_operator,
        "notice": _NOTICES.get(notice, ""),
        "error": retry.error if retry else "",
    }
    shown_again = retry or search_refused
    status = shown_again.status if shown_again else 200
    return render(request, "duties/studio_form.html", context, status_code=status)


def _detail_page(
    request: Request,
    session: Session,
    reader: Principal,
    application_id: uuid.UUID,
    *,
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    application = readable_application(application_id, reader, session)
    context = {
        "item": application_out(application),
        "can_decide": reader.role == Role.province_admin,
        "this_year": local_today().year,
        "notice": notice,
        "error": retry.error if retry else "",
    }
    status = retry.status if retry else 200
    return render(request, "duties/studio_detail.html", context, status_code=status)


def _attachments_of(text: str) -> list[Attachment]:
    """One attachment a line, `名称｜说明` (the description is optional)."""
    items = []
    for line in text.splitlines():
        name, _, description = line.replace("|", "｜").partition("｜")
        if name.strip():
            items.append(Attachment(name=name, description=description.strip() or None))
    return items
