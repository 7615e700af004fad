"""Assistance for talents whose employer is in difficulty (帮扶): `/api/v1/assistance`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.access.auth import Auditor, CityOperator, RegistryReader
from app.assistance import service
from app.assistance.constants import CaseStatus
from app.assistance.deps import ReadableCase, WritableCase
from app.assistance.present import assistance_summary, case_out, case_summary, service_out
from app.assistance.schemas import (
    AssistanceSummary,
    CaseClose,
    CaseCreate,
    CaseOut,
    CasePage,
    CaseUpdate,
    ServiceCreate,
    ServiceOut,
)
from app.core.db import SessionDep
from app.core.openapi_doc import errors
from app.core.paging import PageNumber, PageSize
from app.registry.markers import local_today

router = APIRouter(prefix="/api/v1/assistance", tags=["assistance"])


@router.post("/cases", status_code=201, summary="Open an assistance case for a talent of the city")
def case_open(caller: CityOperator, data: CaseCreate, session: SessionDep) -> CaseOut:
    """Opens an assistance case (帮扶) for a talent of the city, optionally naming dependents
    who want work. City operators only; the case is audited."""
    today = local_today()
    return case_out(service.open_case(session, caller, data, today=today), today)


@router.get("/cases", summary="List assistance cases (a city sees its own)")
def case_list(
    caller: RegistryReader,
    session: SessionDep,
    status: CaseStatus | None = None,
    city_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    talent_id: uuid.UUID | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> CasePage:
    """Lists assistance cases, filtered by status. A city operator sees its own city's,
    province admins and auditors all; records nothing."""
    rows, total = service.list_cases(
        session,
        caller,
        status=status,
        city_code=city_code,
        talent_id=talent_id,
        page=page,
        page_size=page_size,
    )
    today = local_today()
    items = [case_summary(c, today) for c in rows]
    return CasePage(items=items, total=total, page=page, page_size=page_size)


@router.get("/summary", summary="Open cases by city, with how long the oldest has been open")
def case_overview(_caller: Auditor, session: SessionDep) -> AssistanceSummary:
    """Open assistance cases by city, with how long the oldest has been open. Auditors and
    province admins; records nothing."""
    return assistance_summary(service.open_cases_by_city(session), local_today())


@router.get("/cases/{case_id}", summary="One case, with its services and the talent's dependents")
def case_get(_caller: RegistryReader, case: ReadableCase) -> CaseOut:
    """Reads one assistance case with its services and the talent's dependents (masked). Its
    city's operators, province admins and auditors; records nothing."""
    return case_out(case, local_today())


@router.patch(
    "/cases/{case_id}",
    summary="Update the situation or the measures of an open case",
    responses=errors(409),
)
def case_update(
    caller: CityOperator, case: WritableCase, data: CaseUpdate, session: SessionDep
) -> CaseOut:
    """Updates the situation, the measures or the job seekers of an open case. City
    operators of that city only; the change is audited."""
    service.update_case(session, caller, case, data)
    return case_out(case, local_today())


@router.post(
    "/cases/{case_id}/services",
    status_code=201,
    summary="Record a service given to a registered spouse or child",
    responses=errors(409),
)
def case_service_add(
    caller: CityOperator, case: WritableCase, data: ServiceCreate, session: SessionDep
) -> ServiceOut:
    """Records a service given to a registered spouse or child under an open case. City
    operators of that city only; the service is audited."""
    return service_out(service.add_service(session, caller, case, data, today=local_today()))


@router.post(
    "/cases/{case_id}/close", summary="Close a case with its result", responses=errors(409)
)
def case_close(
    caller: CityOperator, case: WritableCase, data: CaseClose, session: SessionDep
) -> CaseOut:
    """Closes an open case with its result; its job seekers lose employment priority. City
    operators of that city only; the closing is audited."""
    today = local_today()
    service.close_case(session, caller, case, data, today=today)
    return case_out(case, today)
