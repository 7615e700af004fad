"""困难企业人才帮扶: a city operator opens a case, records services to the talent's spouse
or children, updates the measures and closes the case; the province and auditors see open
cases by city and how long they have been open."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.assistance import service
from app.assistance.constants import SERVICE_KIND_ZH, CaseStatus
from app.assistance.deps import readable_case, writable_case
from app.assistance.models import AssistanceCase
from app.assistance.present import assistance_summary, case_out, case_summary
from app.assistance.schemas import CaseClose, CaseCreate, CaseUpdate, ServiceCreate
from app.core.db import SessionDep
from app.core.errors import AppError, InvalidInput
from app.core.paging import PageNumber
from app.lookup import reads
from app.pages.confirm import Confirmation, Confirmed, confirm_page
from app.pages.duties.common import (
    PAGE_SIZE,
    CityUser,
    Reader,
    page_link,
    pages_of,
    refusal_of,
    talent_choice,
    talent_search,
)
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.registry.markers import local_today

router = APIRouter()

CaseVerb = Literal["update", "services", "close"]
_PURPOSE = "帮扶对象查找"  # why the talent's record was read, in their access log
_NOT_OURS = "未找到本市的该人才记录。"
_LABELS = {
    "talent_id": "帮扶对象",
    "employer": "困难企业",
    "situation": "企业困难情况",
    "measures": "稳定就业帮扶措施",
    "dependent_id": "服务对象",
    "kind": "服务类型",
    "service_date": "服务日期",
    "outcome": "服务结果",
    "job_seekers": "求职家属",
    "result": "帮扶结果",
    "closed_on": "办结日期",
}
_NOTICES = {
    "opened": "帮扶台账已建档。",
    "update": "帮扶情况已更新。",
    "services": "服务记录已保存。",
    "close": "帮扶台账已办结。",
}


@router.get("/assistance", name="page_assistance_list")
def assistance_list(
    request: Request,
    reader: Reader,
    session: SessionDep,
    status: Annotated[CaseStatus | Literal[""], Query()] = CaseStatus.open,
    city_code: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    page: PageNumber = 1,
) -> Response:
    today = local_today()
    rows, total = service.list_cases(
        session,
        reader,
        status=status or None,
        city_code=city_code or None,
        talent_id=None,
        page=page,
        page_size=PAGE_SIZE,
    )
    sees_province = reader.role != Role.city_operator
    context = {
        "items": [case_summary(c, today) for c in rows],
        "total": total,
        "page": page,
        "pages": pages_of(total),
        "page_url": page_link(str(request.url.path), status=status, city_code=city_code),
        "status": status,
        "city_code": city_code,
        "summary": assistance_summary(service.open_cases_by_city(session), today)
        if sees_province
        else None,
        "can_open": reader.role == Role.city_operator,
    }
    return render(request, "duties/assistance_list.html", context)


@router.get("/assistance/new", name="page_assistance_new")
def assistance_new(
    request: Request,
    operator: CityUser,
    session: SessionDep,
    talent_id: uuid.UUID | None = None,
) -> Response:
    return _open_form(request, session, operator, talent_id=talent_id)


@router.post("/assistance/find", name="page_assistance_find")
def assistance_find(
    request: Request,
    operator: CityUser,
    session: SessionDep,
    q: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Find the talent (a POST: an ID number must not travel in a URL)."""
    try:
        return _open_form(request, session, operator, q=q)
    except InvalidInput as exc:
        raise FormRefused(
            lambda again, retry: _open_form(request, again, operator, search_refused=retry),
            error=exc.detail,
            status=exc.status,
        ) from exc


@router.post("/assistance/new", name="page_assistance_open")
def assistance_open(
    request: Request,
    operator: CityUser,
    session: SessionDep,
    talent_id: Annotated[uuid.UUID, Form()],
    employer: Annotated[str, Form(max_length=400)] = "",
    situation: Annotated[str, Form(max_length=6000)] = "",
    measures: Annotated[str, Form(max_length=6000)] = "",
) -> Response:
    form = {"employer": employer, "situation": situation, "measures": measures}
    try:
        data = CaseCreate(
            talent_id=talent_id,
            employer=employer.strip() or None,
            situation=situation,
            measures=measures,
        )
        case = service.open_case(session, operator, data, today=local_today())
    except (ValidationError, AppError) as exc:
        message, status = refusal_of(exc, _LABELS)
        raise FormRefused(
            lambda again, retry: _open_form(
                request, again, operator, talent_id=talent_id, retry=retry
            ),
            error=message,
            status=status,
            form=form,
        ) from exc
    target = request.app.url_path_for("page_assistance_detail", case_id=str(case.id))
    return RedirectResponse(f"{target}?notice=opened", status_code=303)


@router.get("/assistance/{case_id}", name="page_assistance_detail")
def assistance_detail(
    request: Request, case_id: uuid.UUID, reader: Reader, session: SessionDep, notice: str = ""
) -> Response:
    return _case_page(request, session, reader, case_id, notice=_NOTICES.get(notice, ""))


@router.post("/assistance/{case_id}/{verb}", name="page_assistance_action")
def assistance_action(
    request: Request,
    case_id: uuid.UUID,
    verb: CaseVerb,
    operator: CityUser,
    session: SessionDep,
    situation: Annotated[str, Form(max_length=6000)] = "",
    measures: Annotated[str, Form(max_length=6000)] = "",
    dependent_id: Annotated[str, Form(max_length=20)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    service_date: Annotated[str, Form(max_length=20)] = "",
    outcome: Annotated[str, Form(max_length=3000)] = "",
    result: Annotated[str, Form(max_length=6000)] = "",
    closed_on: Annotated[str, Form(max_length=20)] = "",
    job_seekers: Annotated[list[int] | None, Form(max_length=50)] = None,
    confirmed: Confirmed = False,
) -> Response:
    case = writable_case(case_id, operator, session)
    today = local_today()
    try:
        if verb == "update":
            # The form ticks every dependent: none ticked takes them all off the list.
            update = CaseUpdate(
                situation=situation or None,
                measures=measures or None,
                job_seekers=job_seekers or [],
            )
            service.update_case(session, operator, case, update)
        elif verb == "services":
            data: dict[str, Any] = {
                "dependent_id": dependent_id,
                "kind": kind,
                "service_date": service_date,
                "outcome": outcome,
            }
            given = ServiceCreate.model_validate(data)
            service.add_service(session, operator, case, given, today=today)
        else:
            closing = CaseClose.model_validate({"result": result, "closed_on": closed_on or None})
            if not confirmed:
                day = service.closing_date(case, closing, today=today)
                return confirm_page(request, _closing(request, case, closing, day))
            service.close_case(session, operator, case, closing, today=today)
    except (ValidationError, AppError) as exc:
        message, status = refusal_of(exc, _LABELS)
        raise FormRefused(
            lambda again, retry: _case_page(request, again, operator, case_id, retry=retry),
            error=message,
            status=status,
        ) from exc
    target = request.app.url_path_for("page_assistance_detail", case_id=str(case_id))
    return RedirectResponse(f"{target}?notice={verb}", status_code=303)


def _closing(
    request: Request, case: AssistanceCase, closing: CaseClose, closed_on: date
) -> Confirmation:
    seekers = len(case.job_seekers)
    action = request.app.url_path_for("page_assistance_action", case_id=str(case.id), verb="close")
    return Confirmation(
        title=f"确认办结{case.talent.name}的帮扶台账？",
        consequences=[
            f"台账以 {closed_on.isoformat()} 办结，此后不能再记录服务或修改帮扶情况"
            f"（已记录服务 {len(case.services)} 次）；",
            f"列为求职家属的 {seekers} 人不再因本台账享受就业优先服务；"
            if seekers
            else "本台账没有列为求职家属的人员；",
            f"帮扶结果：{closing.result}",
        ],
        button="确认办结",
        action=str(action),
        back=str(request.app.url_path_for("page_assistance_detail", case_id=str(case.id))),
        fields={"result": closing.result, "closed_on": closed_on.isoformat()},
    )


def _open_form(
    request: Request,
    session: Session,
    operator: Principal,
    *,
    q: str = "",
    talent_id: uuid.UUID | None = None,
    retry: Retry | None = None,
    search_refused: Retry | None = None,
) -> Response:
    today = local_today()
    chosen = None
    if talent_id is not None:
        talent = reads.talent_by_id(
            session, operator, talent_id, purpose=_PURPOSE, today=today, message=_NOT_OURS
        )
        chosen = {**talent_choice(talent, today), "dependents": len(talent.dependents)}
    refused = search_refused.error if search_refused else ""
    context = {
        **talent_search(session, operator, q, today, purpose=_PURPOSE, refused=refused),
        "chosen": chosen,
        "form": retry.form if retry else {},
        "error": retry.error if retry else "",
    }
    shown_again = retry or search_refused
    status = shown_again.status if shown_again else 200
    return render(request, "duties/assistance_form.html", context, status_code=status)


def _case_page(
    request: Request,
    session: Session,
    reader: Principal,
    case_id: uuid.UUID,
    *,
    notice: str = "",
    retry: Retry | None = None,
) -> Response:
    today = local_today()
    case = readable_case(case_id, reader, session)
    context = {
        "item": case_out(case, today),
        "kinds": SERVICE_KIND_ZH,
        "can_edit": reader.role == Role.city_operator and case.status == CaseStatus.open,
        "today": today,
        "notice": notice,
        "error": retry.error if retry else "",
    }
    status = retry.status if retry else 200
    return render(request, "duties/assistance_detail.html", context, status_code=status)
