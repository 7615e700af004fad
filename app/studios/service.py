"""Direct project reporting: the rules, for the API and the pages alike.

An application goes straight into the province's queue (`submitted`): there is no city
recommendation step, which is what "direct" means. The province accepts it into review,
then approves it (a studio is established in that year's batch) or rejects it with a reason.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core import audit
from app.core.errors import Conflict, InvalidInput, NotFound, field_error
from app.core.paging import paginate
from app.core.reference import check_code, codes_of, name_zh
from app.core.types import utcnow
from app.lookup import reads
from app.registry.identifiers import InvalidUscc, validate_uscc
from app.registry.markers import grants_priority
from app.registry.models import Talent
from app.studios.constants import FIRST_BATCH_YEAR, PROGRAMMES, STATUS_ZH, ApplicationStatus
from app.studios.models import OPEN_STATUSES, Studio, StudioApplication
from app.studios.schemas import ApplicationCreate

_Row = TypeVar("_Row")
_PURPOSE = "项目直报申报"  # why the applicant's record was read, in their access log
_TRANSITIONS: dict[str, tuple[ApplicationStatus, ...]] = {
    "accept": (ApplicationStatus.submitted,),
    "approve": (ApplicationStatus.in_review,),
    "reject": (ApplicationStatus.submitted, ApplicationStatus.in_review),
}


def apply(
    session: Session, actor: Principal, data: ApplicationCreate, *, today: date
) -> StudioApplication:
    """Enter a talent's application; refuse one without an active marker or a duplicate.
    (A window clerk is told of a marker that is not active only as of anyone unknown.)"""
    _check_programme(session, data.project_type)
    talent = reads.talent_by_id(session, actor, data.talent_id, purpose=_PURPOSE, today=today)
    marker = talent.marker
    if marker is None or not grants_priority(marker.status, marker.valid_until, today):
        raise _refusal(
            "talent_id",
            "marker_not_active",
            "申请人没有有效的高技能领军人才特殊标识（未获得、已暂停、已撤销或已过期），不能直接申报。",
        )
    host_uscc = _valid_uscc(data.host_uscc)
    if _open_application_exists(session, talent.id, data.project_type):
        raise _duplicate(data.project_type)
    application = StudioApplication(
        talent=talent,
        city_code=talent.city_code,
        project_type=data.project_type,
        title=data.title,
        host_employer=data.host_employer,
        host_uscc=host_uscc,
        plan_summary=data.plan_summary,
        attachments=[a.model_dump() for a in data.attachments],
        status=ApplicationStatus.submitted.value,
        submitted_by=actor.actor_id,
    )
    try:
        # The partial unique index is the last word when two clerks enter it at once.
        with session.begin_nested():
            session.add(application)
            session.flush()
    except IntegrityError:
        raise _duplicate(data.project_type) from None
    _record(session, actor, "studio.application.submit", application)
    return application


def accept(session: Session, actor: Principal, application: StudioApplication) -> None:
    check_transition(application, "accept")
    application.status = ApplicationStatus.in_review.value
    application.reviewed_at = utcnow()
    _record(session, actor, "studio.application.accept", application)


def approve(
    session: Session,
    actor: Principal,
    application: StudioApplication,
    *,
    batch_year: int | None,
    today: date,
) -> Studio:
    """Approve an application under review: the studio is established in `batch_year`."""
    check_transition(application, "approve")
    year = today.year if batch_year is None else batch_year
    if not FIRST_BATCH_YEAR <= year <= today.year + 1:
        raise InvalidInput(
            "批次年度不正确。",
            code="invalid_batch_year",
            errors=[
                field_error(
                    "batch_year",
                    "invalid_batch_year",
                    f"批次年度应在{FIRST_BATCH_YEAR}年至{today.year + 1}年之间",
                )
            ],
        )
    application.status = ApplicationStatus.approved.value
    application.decided_by = actor.actor_id
    application.decided_at = utcnow()
    studio = Studio(
        application=application,
        talent_id=application.talent_id,
        city_code=application.city_code,
        project_type=application.project_type,
        name=application.title,
        host_employer=application.host_employer,
        batch_year=year,
        established_on=today,
    )
    session.add(studio)
    session.flush()
    _record(session, actor, "studio.application.approve", application, batch_year=year)
    return studio


def reject(
    session: Session, actor: Principal, application: StudioApplication, *, reason: str
) -> None:
    check_transition(application, "reject")
    application.status = ApplicationStatus.rejected.value
    application.decided_by = actor.actor_id
    application.decided_at = utcnow()
    application.reject_reason = reason
    _record(session, actor, "studio.application.reject", application)


def list_applications(
    session: Session,
    viewer: Principal,
    *,
    status: ApplicationStatus | None,
    project_type: str | None,
    city_code: str | None,
    page: int,
    page_size: int,
) -> tuple[list[StudioApplication], int]:
    """Applications the viewer may see, oldest first (the province works the queue in order)."""
    query = select(StudioApplication)
    query = query.where(viewer.city_filter(StudioApplication.city_code))
    if city_code:
        query = query.where(StudioApplication.city_code == city_code)
    if status:
        query = query.where(StudioApplication.status == status.value)
    if project_type:
        _check_filter(session, project_type)
        query = query.where(StudioApplication.project_type == project_type)
    query = query.order_by(StudioApplication.submitted_at, StudioApplication.id)
    page_of = paginate(session, query, page=page, page_size=page_size)
    return list(page_of.items), page_of.total


def list_studios(
    session: Session,
    viewer: Principal,
    *,
    batch_year: int | None,
    project_type: str | None,
    city_code: str | None,
    page: int,
    page_size: int,
) -> tuple[list[Studio], int]:
    query = select(Studio)
    query = query.where(viewer.city_filter(Studio.city_code))
    if city_code:
        query = query.where(Studio.city_code == city_code)
    if batch_year:
        query = query.where(Studio.batch_year == batch_year)
    if project_type:
        _check_filter(session, project_type)
        query = query.where(Studio.project_type == project_type)
    query = query.order_by(Studio.batch_year.desc(), Studio.established_on, Studio.id)
    page_of = paginate(session, query, page=page, page_size=page_size)
    return list(page_of.items), page_of.total


def studios_of_talent(session: Session, viewer: Principal, talent_id: uuid.UUID) -> list[Studio]:
    talent = visible_talent(session, viewer, talent_id)
    return list(
        session.scalars(
            select(Studio).where(Studio.talent_id == talent.id).order_by(Studio.batch_year)
        )
    )


def visible_talent(session: Session, viewer: Principal, talent_id: uuid.UUID) -> Talent:
    """The talent, or 404 when unknown or in a city the viewer may not see."""
    talent = session.get(Talent, talent_id)
    if talent is None or not viewer.sees_city(talent.city_code):
        raise NotFound("未找到该人才记录。")
    return talent


def _check_filter(session: Session, code: str) -> None:
    """Any programme of the list, active or not: older applications name it."""
    check_code(session.connection(), PROGRAMMES, code, field="project_type", label="项目类型")


def _check_programme(session: Session, code: str) -> None:
    """A programme of the province's list, and still active."""
    rows = codes_of(session.connection(), PROGRAMMES)
    if not any(row.code == code and row.active for row in rows):
        names = "、".join(f"「{row.name_zh}」" for row in rows if row.active)
        message = f"项目类型「{code}」不在本省工作室项目清单中或已停用，应为：{names}"
        raise _refusal("project_type", "invalid_code", message)


def _open_application_exists(session: Session, talent_id: uuid.UUID, kind: str) -> bool:
    query = select(StudioApplication.id).where(
        StudioApplication.talent_id == talent_id,
        StudioApplication.project_type == kind,
        StudioApplication.status.in_(OPEN_STATUSES),
    )
    return session.scalar(query.limit(1)) is not None


def _valid_uscc(raw: str) -> str:
    try:
        return validate_uscc(raw)
    except InvalidUscc as exc:
        raise InvalidInput(
            exc.message_zh,
            code=exc.code,
            errors=[field_error("host_uscc", exc.code, exc.message_zh)],
        ) from None


def check_transition(application: StudioApplication, action: str) -> None:
    """Refuse `action` (a `_TRANSITIONS` key) from the application's current status."""
    if application.status not in _TRANSITIONS[action]:
        raise Conflict(
            f"该申报当前状态为“{STATUS_ZH[ApplicationStatus(application.status)]}”，不能执行此操作。",
            code="invalid_transition",
        )


def _refusal(field: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, errors=[field_error(field, code, message)])


def _duplicate(kind: str) -> InvalidInput:
    return _refusal(
        "project_type",
        "open_application_exists",
        f"该人才已有一项{name_zh(PROGRAMMES, kind)}申报正在办理中，办结前不能再次申报同类项目。",
    )


def _record(
    session: Session, actor: Principal, action: str, application: StudioApplication, **extra: object
) -> None:
    detail = {
        "talent_id": str(application.talent_id),
        "city_code": application.city_code,
        "project_type": application.project_type,
        "status": application.status,
        **extra,
    }
    audit.record(session, actor, action, f"studio_application:{application.id}", detail)
