"""Figures of the register and of its use (`/api/v1/statistics`): the province's and
auditors' whole province, a city operator's own city."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.access.auth import Principal, RegistryReader
from app.core.db import SessionDep
from app.core.openapi_doc import binary
from app.filing.constants import PERIOD_PATTERN
from app.registry.markers import local_today
from app.registry.statistics import marker_changes_by_month, registry_figures
from app.statistics.activity import (
    applications_by_status,
    assistance_by_city,
    lookups_by_month,
    studios_by_batch_year,
)
from app.statistics.report import REPORT_TITLE, period_report_xlsx, report_scope

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/api/v1/statistics", tags=["registry"])


class RegistryFiguresOut(BaseModel):
    holders: int = Field(description="People whose marker is active today.")
    by_city: dict[str, int] = Field(description="Holders per city code.")
    by_category: dict[str, int] = Field(
        description="Holders per honour category (a holder of two categories counts in each)."
    )
    by_skill_level: dict[str, int] = Field(description="Holders per skill level.")
    by_occupation: dict[str, int] = Field(
        description="Holders per occupation (the stand-in for industry: the employer's USCC "
        "does not encode one)."
    )
    by_marker_state: dict[str, int] = Field(
        description="Every marker issued, by its state today: "
        "active, suspended, revoked, expired, withdrawn."
    )


class MarkerChangesOut(BaseModel):
    months: dict[str, dict[str, int]] = Field(
        description="Per month (YYYY-MM, China time), changes by the state entered: granted, "
        "reinstated, suspended, revoked, withdrawn, expired (derived the day after validity)."
    )


class LookupCountOut(BaseModel):
    month: str
    caller_name: str
    service: str
    outcome: str
    count: int


class LookupFiguresOut(BaseModel):
    items: list[LookupCountOut] = Field(
        description="Priority lookups per month (China time), partner, service and outcome."
    )


class ActivityFiguresOut(BaseModel):
    assistance_by_city: dict[str, dict[str, int]] = Field(
        description="Assistance records per city code by state (open, closed)."
    )
    applications_by_status: dict[str, int] = Field(description="Studio applications by status.")
    studios_by_batch_year: dict[str, int] = Field(description="Studios per batch year.")


@router.get("/registry", summary="Holders by city, category, skill level and occupation")
def statistics_registry(caller: RegistryReader, session: SessionDep) -> RegistryFiguresOut:
    """Holders by city, category, skill level and occupation, and markers by state. Province
    admins and auditors (whole province) or a city operator (own city); records nothing."""
    figures = registry_figures(session, caller, today=local_today())
    return RegistryFiguresOut(**vars(figures))


@router.get("/marker-changes", summary="Marker changes per month")
def statistics_marker_changes(caller: RegistryReader, session: SessionDep) -> MarkerChangesOut:
    """Marker changes per month by the state entered. Province admins and auditors (whole
    province) or a city operator (own city); records nothing."""
    return MarkerChangesOut(months=marker_changes_by_month(session, caller, today=local_today()))


@router.get("/lookups", summary="Lookups per month by partner, service and outcome")
def statistics_lookups(caller: RegistryReader, session: SessionDep) -> LookupFiguresOut:
    """Priority lookups per month by partner, service and outcome. Province admins and
    auditors (whole province) or a city operator (own city); records nothing."""
    items = [LookupCountOut(**vars(row)) for row in lookups_by_month(session, caller)]
    return LookupFiguresOut(items=items)


@router.get("/activity", summary="Assistance records by city; studio applications and studios")
def statistics_activity(caller: RegistryReader, session: SessionDep) -> ActivityFiguresOut:
    """Assistance records by city, studio applications by status and studios by batch year.
    Province admins and auditors (whole province) or a city operator (own city); records
    nothing."""
    return ActivityFiguresOut(
        assistance_by_city=assistance_by_city(session, caller),
        applications_by_status=applications_by_status(session, caller),
        studios_by_batch_year={
            str(year): count for year, count in studios_by_batch_year(session, caller).items()
        },
    )


@router.get(
    "/report.xlsx",
    summary="The period report (工作情况报告) of a quarter, as XLSX",
    response_class=Response,
    responses=binary(XLSX_TYPE, "The period report as an XLSX workbook"),
)
def statistics_report(
    caller: RegistryReader,
    session: SessionDep,
    period: Annotated[str, Query(pattern=PERIOD_PATTERN, examples=["2026Q4"])],
) -> Response:
    """The period report (工作情况报告) of a quarter as an XLSX download. Province admins and
    auditors (whole province) or a city operator (own city); records nothing."""
    return report_response(
        period_report_xlsx(session, caller, period, today=local_today()), caller, period
    )


def report_response(body: bytes, caller: Principal, period: str) -> Response:
    """The report as a download named in Chinese (RFC 6266), with an ASCII fallback."""
    name = quote(f"{report_scope(caller)}{REPORT_TITLE}（{period}）.xlsx")
    disposition = f"attachment; filename=\"report-{period}.xlsx\"; filename*=UTF-8''{name}"
    return Response(
        body,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
