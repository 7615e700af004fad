"""Assistance cases: the rules, for the API and the pages alike.

A city operator opens a case for a talent of their city, records services given to the
talent's registered dependents, and closes it with its result. The province and auditors
read every city's cases; a city reads its own only.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.assistance.constants import CaseStatus
from app.assistance.models import AssistanceCase, AssistanceJobSeeker, AssistanceService
from app.assistance.schemas import CaseClose, CaseCreate, CaseUpdate, ServiceCreate
from app.core import audit
from app.core.errors import Conflict, InvalidInput, NotFound, field_error
from app.core.keys import get_keyring
from app.core.paging import paginate
from app.core.reference import city_names
from app.registry.identifiers import mask_id_number
from app.registry.models import Dependent, Talent
from app.registry.records import DEPENDENT_ID_CONTEXT


def open_case(
    session: Session, actor: Principal, data: CaseCreate, *, today: date
) -> AssistanceCase:
    talent = talent_of_city(session, actor, data.talent_id)
    if talent.status != "filed":
        raise _refusal("talent_id", "talent_not_filed", "该人才已退出人才库，不能建立帮扶台账。")
    case = AssistanceCase(
        talent=talent,
        city_code=talent.city_code,
        employer=data.employer or talent.employer,
        situation=data.situation,
        measures=data.measures,
        status=CaseStatus.open.value,
        opened_on=today,
        opened_by=actor.actor_id,
    )
    _set_job_seekers(session, case, talent.id, data.job_seekers)
    try:
        # The partial unique index decides when two operators open a case at once.
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        raise _refusal(
            "talent_id", "open_case_exists", "该人才已有一个帮扶中的台账，请在原台账中继续记录。"
        ) from None
    _record(session, actor, "assistance.case.open", case)
    return case


def talent_of_city(session: Session, operator: Principal, talent_id: uuid.UUID) -> Talent:
    """A talent of the operator's own city, or 404: a city assists its own talents only."""
    talent = session.get(Talent, talent_id)
    if talent is None or talent.city_code != operator.city_code:
        raise NotFound("未找到本市的该人才记录。")
    return talent


def update_case(session: Session, actor: Principal, case: AssistanceCase, data: CaseUpdate) -> None:
    _require_open(case)
    changed = data.model_dump(exclude_none=True)
    for field, value in changed.items():
        if field == "job_seekers":
            _set_job_seekers(session, case, case.talent_id, value)
        else:
            setattr(case, field, value)
    _record(session, actor, "assistance.case.update", case, fields=sorted(changed))


def _set_job_seekers(
    session: Session, case: AssistanceCase, talent_id: uuid.UUID, dependent_ids: list[int]
) -> None:
    """The dependents the case lists as wanting work: each a registered one of the talent."""
    wanted = sorted(set(dependent_ids))
    if wanted:
        known = set(
            session.scalars(
                select(Dependent.id).where(
                    Dependent.id.in_(wanted), Dependent.talent_id == talent_id
                )
            )
        )
        if known != set(wanted):
            raise _refusal(
                "job_seekers", "unknown_dependent", "所选家属不是该人才登记的配偶或子女。"
            )
    kept = {row.dependent_id: row for row in case.job_seeker_rows}
    case.job_seeker_rows = [kept.get(i) or AssistanceJobSeeker(dependent_id=i) for i in wanted]


def add_service(
    session: Session, actor: Principal, case: AssistanceCase, data: ServiceCreate, *, today: date
) -> AssistanceService:
    """Record a service given to one of the talent's registered dependents."""
    _require_open(case)
    dependent = session.get(Dependent, data.dependent_id)
    if dependent is None or dependent.talent_id != case.talent_id:
        raise _refusal("dependent_id", "unknown_dependent", "所选家属不是该人才登记的配偶或子女。")
    if not case.opened_on <= data.service_date <= today:
        raise _refusal(
            "service_date",
            "service_date_out_of_range",
            f"服务日期应在建档日期（{case.opened_on.isoformat()}）至今天之间",
        )
    service = AssistanceService(
        dependent_id=dependent.id,
        dependent_relation=dependent.relation,
        dependent_name=dependent.name,
        dependent_id_masked=masked_dependent_id(dependent),
        kind=data.kind.value,
        service_date=data.service_date,
        outcome=data.outcome,
        recorded_by=actor.actor_id,
    )
    case.services.append(service)
    session.flush()
    _record(
        session,
        actor,
        "assistance.service.add",
        case,
        service_id=service.id,
        kind=service.kind,
        dependent_id=dependent.id,
    )
    return service


def close_case(
    session: Session, actor: Principal, case: AssistanceCase, data: CaseClose, *, today: date
) -> None:
    closed_on = closing_date(case, data, today=today)
    case.status = CaseStatus.closed.value
    case.closed_on = closed_on
    case.closed_by = actor.actor_id
    case.result = data.result
    _record(session, actor, "assistance.case.close", case)


def closing_date(case: AssistanceCase, data: CaseClose, *, today: date) -> date:
    """The day `data` closes the case on, refused unless the case is open and the day falls
    between its opening and today (asked before confirming, and again when closing)."""
    _require_open(case)
    closed_on = data.closed_on or today
    if not case.opened_on <= closed_on <= today:
        raise _refusal(
            "closed_on",
            "closed_on_out_of_range",
            f"办结日期应在建档日期（{case.opened_on.isoformat()}）至今天之间",
        )
    return closed_on


def list_cases(
    session: Session,
    viewer: Principal,
    *,
    status: CaseStatus | None,
    city_code: str | None,
    talent_id: uuid.UUID | None,
    page: int,
    page_size: int,
) -> tuple[list[AssistanceCase], int]:
    """Cases the viewer may see, longest open first."""
    query = select(AssistanceCase)
    query = query.where(viewer.city_filter(AssistanceCase.city_code))
    if city_code:
        query = query.where(AssistanceCase.city_code == city_code)
    if status:
        query = query.where(AssistanceCase.status == status.value)
    if talent_id:
        query = query.where(AssistanceCase.talent_id == talent_id)
    query = query.order_by(AssistanceCase.opened_on, AssistanceCase.created_at, AssistanceCase.id)
    page_of = paginate(session, query, page=page, page_size=page_size)
    return list(page_of.items), page_of.total


def open_cases_by_city(session: Session) -> dict[str, tuple[int, date]]:
    """City code -> (open cases, the oldest one's opening date), for cities with any."""
    rows = session.execute(
        select(AssistanceCase.city_code, func.count(), func.min(AssistanceCase.opened_on))
        .where(AssistanceCase.status == CaseStatus.open.value)
        .group_by(AssistanceCase.city_code)
    )
    return {city: (count, oldest) for city, count, oldest in rows}


def days_open(case: AssistanceCase, today: date) -> int:
    """Days from opening to closing, or to today while the case is open."""
    return ((case.closed_on or today) - case.opened_on).days


def masked_dependent_id(dependent: Dependent) -> str:
    return mask_id_number(get_keyring().decrypt(dependent.id_cipher, context=DEPENDENT_ID_CONTEXT))


def city_name(code: str) -> str:
    return city_names().get(code, code)


def _require_open(case: AssistanceCase) -> None:
    if case.status != CaseStatus.open:
        raise Conflict("该帮扶台账已办结，不能再修改或记录服务。", code="case_closed")


def _refusal(field: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, errors=[field_error(field, code, message)])


def _record(
    session: Session, actor: Principal, action: str, case: AssistanceCase, **extra: Any
) -> None:
    detail = {"talent_id": str(case.talent_id), "city_code": case.city_code, "status": case.status}
    audit.record(session, actor, action, f"assistance_case:{case.id}", {**detail, **extra})
