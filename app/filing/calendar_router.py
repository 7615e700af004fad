"""The filing calendar: `/api/v1/filing/calendar`, per the contract (v2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from app.access.auth import Auditor
from app.core.db import SessionDep
from app.filing.calendar import current_period, filing_calendar
from app.filing.constants import PERIOD_PATTERN
from app.registry.markers import local_today

router = APIRouter(prefix="/api/v1/filing", tags=["submissions"])


class CalendarCity(BaseModel):
    city_code: str
    city_name: str
    status: str = Field(description="The latest submission's status for the period, or `none`.")
    submission_id: str | None
    updated_at: datetime | None = Field(description="When that submission last changed.")


class CalendarOut(BaseModel):
    period: str
    deadline: date
    cities: list[CalendarCity]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "period": "2026Q4",
                    "deadline": "2027-01-15",
                    "cities": [
                        {
                            "city_code": "340100",
                            "city_name": "合肥市",
                            "status": "pending_review",
                            "submission_id": "3d6f0c1a-2b4e-4f8a-9c7d-5e1b2a3c4d5e",
                            "updated_at": "2026-12-01T10:12:00+08:00",
                        }
                    ],
                }
            ]
        }
    )


@router.get("/calendar", summary="Each city's filing status for a quarter, and its deadline")
def calendar_get(
    _caller: Auditor,
    session: SessionDep,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> CalendarOut:
    """Each city's filing status for a quarter, and the quarter's deadline. Auditors and
    province admins; records nothing."""
    calendar = filing_calendar(session, period or current_period(local_today()))
    return CalendarOut(
        period=calendar.period,
        deadline=calendar.deadline,
        cities=[CalendarCity(**vars(city)) for city in calendar.cities],
    )
