"""Direct project reporting (项目直报): `/api/v1/studios`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.access.auth import ProvinceAdmin, RegistryReader
from app.core.db import SessionDep
from app.core.openapi_doc import errors
from app.core.paging import PageNumber, PageSize
from app.registry.markers import local_today
from app.studios import service
from app.studios.constants import ApplicationStatus
from app.studios.deps import LockedApplication, ReadableApplication, StudioApplicant
from app.studios.schemas import (
    ApplicationCreate,
    ApplicationOut,
    ApplicationPage,
    ApprovalIn,
    RejectionIn,
    StudioOut,
    StudioPage,
    application_out,
    studio_out,
)

router = APIRouter(tags=["studios"])

CityFilter = Annotated[str | None, Query(pattern=r"^\d{6}$")]
ProgrammeFilter = Annotated[
    str | None, Query(max_length=40, description="A programme code (`studio-programmes`)")
]


@router.post(
    "/api/v1/studios/applications",
    status_code=201,
    summary="Enter a leading talent's direct application for a provincial studio",
)
def application_create(
    caller: StudioApplicant, data: ApplicationCreate, session: SessionDep
) -> ApplicationOut:
    """Enters a leading talent's direct application for a provincial studio. City operators
    (for talents of their city) and window clerks; the application is audited."""
    application = service.apply(session, caller, data, today=local_today())
    return application_out(application)


@router.get("/api/v1/studios/applications", summary="List studio applications (the queue)")
def application_list(
    caller: RegistryReader,
    session: SessionDep,
    status: ApplicationStatus | None = None,
    project_type: ProgrammeFilter = None,
    city_code: CityFilter = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> ApplicationPage:
    """Lists studio applications (the review queue), filtered by status. Province admins and
    auditors see all, a city operator its own city's; records nothing."""
    rows, total = service.list_applications(
        session,
        caller,
        status=status,
        project_type=project_type,
        city_code=city_code,
        page=page,
        page_size=page_size,
    )
    items = [application_out(a) for a in rows]
    return ApplicationPage(items=items, total=total, page=page, page_size=page_size)


@router.get("/api/v1/studios/applications/{application_id}", summary="One studio application")
def application_get(_caller: RegistryReader, application: ReadableApplication) -> ApplicationOut:
    """Reads one studio application. Province admins, auditors and its city's operators;
    records nothing."""
    return application_out(application)


@router.post(
    "/api/v1/studios/applications/{application_id}/accept",
    summary="Accept a submitted application into review",
    responses=errors(409),
)
def application_accept(
    caller: ProvinceAdmin, application: LockedApplication, session: SessionDep
) -> ApplicationOut:
    """Accepts a submitted studio application into review. Province admins only; the
    transition is audited."""
    service.accept(session, caller, application)
    return application_out(application)


@router.post(
    "/api/v1/studios/applications/{application_id}/approve",
    summary="Approve an application under review: the studio is established",
    responses=errors(409),
)
def application_approve(
    caller: ProvinceAdmin,
    application: LockedApplication,
    data: ApprovalIn,
    session: SessionDep,
) -> ApplicationOut:
    """Approves a studio application under review: the studio is established. Province
    admins only; the transition is audited."""
    service.approve(session, caller, application, batch_year=data.batch_year, today=local_today())
    return application_out(application)


@router.post(
    "/api/v1/studios/applications/{application_id}/reject",
    summary="Reject an application, with the reason",
    responses=errors(409),
)
def application_reject(
    caller: ProvinceAdmin, application: LockedApplication, data: RejectionIn, session: SessionDep
) -> ApplicationOut:
    """Rejects a studio application, with the reason. Province admins only; the transition
    is audited."""
    service.reject(session, caller, application, reason=data.reason)
    return application_out(application)


@router.get("/api/v1/studios", summary="List established studios, by batch year")
def studio_list(
    caller: RegistryReader,
    session: SessionDep,
    batch_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    project_type: ProgrammeFilter = None,
    city_code: CityFilter = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> StudioPage:
    """Lists established studios, by batch year. Province admins and auditors see all, a
    city operator its own city's; records nothing."""
    rows, total = service.list_studios(
        session,
        caller,
        batch_year=batch_year,
        project_type=project_type,
        city_code=city_code,
        page=page,
        page_size=page_size,
    )
    return StudioPage(
        items=[studio_out(s) for s in rows], total=total, page=page, page_size=page_size
    )


@router.get("/api/v1/talents/{talent_id}/studios", summary="The studios a talent leads")
def talent_studios(
    caller: RegistryReader, talent_id: uuid.UUID, session: SessionDep
) -> list[StudioOut]:
    """The studios a talent leads. Province admins, auditors and the talent's city operator;
    records nothing."""
    return [studio_out(s) for s in service.studios_of_talent(session, caller, talent_id)]
