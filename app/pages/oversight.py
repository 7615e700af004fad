"""报送日历: the province (and auditors) see which cities have filed a quarter, which wait
for review and which are late; the page is the same `filing_calendar` the API answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.filing.calendar import current_period, filing_calendar
from app.filing.constants import PERIOD_PATTERN
from app.pages.rendering import render
from app.pages.session import page_gate
from app.registry.markers import local_today

router = APIRouter()

Overseer = Annotated[Principal, Depends(page_gate(Role.province_admin, Role.auditor))]


@router.get("/province/calendar", name="page_filing_calendar")
def calendar_page(
    request: Request,
    _overseer: Overseer,
    session: SessionDep,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> Response:
    today = local_today()
    calendar = filing_calendar(session, period or current_period(today))
    standings = [(city, city.standing(today, calendar.deadline)) for city in calendar.cities]
    context = {
        "calendar": calendar,
        "standings": standings,
        "overdue": calendar.overdue(today),
        "days_left": (calendar.deadline - today).days,
    }
    return render(request, "province_calendar.html", context)
