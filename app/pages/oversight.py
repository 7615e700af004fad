"""The province's oversight pages (province admins and auditors).

- 报送日历: which cities have filed a quarter, which wait for review, which are late (the
  same `filing_calendar` the API answers);
- 动态管理: the review lists (`registry.review_lists`), each with an XLSX export.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.assistance import service as assistance
from app.core.db import SessionDep
from app.core.keys import get_keyring
from app.core.reference import city_names
from app.filing.calendar import current_period, filing_calendar
from app.filing.constants import PERIOD_PATTERN
from app.pages.rendering import render
from app.pages.session import page_gate
from app.pages.submissions import XLSX_TYPE, attachment
from app.registry.markers import local_today
from app.registry.review_export import DUE_ZH, TITLES_ZH, review_xlsx, table_xlsx
from app.registry.review_lists import ReviewList, review_list

router = APIRouter()

LINGERING = "assistance"
LINGERING_TITLE = "有超过六个月未办结帮扶记录的设区市"
LINGERING_AFTER = timedelta(days=183)

Overseer = Annotated[Principal, Depends(page_gate(Role.province_admin, Role.auditor))]


@router.get("/oversight/calendar", name="page_filing_calendar")
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


@router.get("/oversight/reviews", name="page_review_lists")
def review_lists_page(request: Request, overseer: Overseer, session: SessionDep) -> Response:
    counts = review_counts(session, overseer)
    return render(request, "review_lists.html", {"counts": counts, "titles": review_titles()})


@router.get("/oversight/reviews/{which}", name="page_review_list")
def review_list_page(
    request: Request, which: ReviewList, overseer: Overseer, session: SessionDep
) -> Response:
    items = review_list(session, overseer, which, today=local_today(), keyring=get_keyring())
    context = {
        "which": which,
        "title": TITLES_ZH[which],
        "due_label": DUE_ZH[which],
        "items": items,
    }
    return render(request, "review_list.html", context)


@router.get("/oversight/reviews/{which}/export.xlsx", name="page_review_list_xlsx")
def review_list_xlsx(which: ReviewList, overseer: Overseer, session: SessionDep) -> Response:
    items = review_list(session, overseer, which, today=local_today(), keyring=get_keyring())
    name = f"{TITLES_ZH[which]}.xlsx"
    return attachment(review_xlsx(which, items), XLSX_TYPE, name, f"review-{which}.xlsx")


@router.get("/oversight/assistance", name="page_lingering_assistance")
def lingering_assistance_page(
    request: Request, _overseer: Overseer, session: SessionDep
) -> Response:
    context = {"cities": lingering_assistance(session, local_today()), "months": 6}
    return render(request, "lingering_assistance.html", context)


@router.get("/oversight/assistance/export.xlsx", name="page_lingering_assistance_xlsx")
def lingering_assistance_xlsx(_overseer: Overseer, session: SessionDep) -> Response:
    rows = lingering_assistance(session, local_today())
    body = table_xlsx(
        LINGERING_TITLE,
        ("设区市", "在办帮扶记录", "最早建档日期"),
        [(city_names()[code], count, oldest.isoformat()) for code, count, oldest in rows],
    )
    return attachment(body, XLSX_TYPE, f"{LINGERING_TITLE}.xlsx", "review-assistance.xlsx")


def review_counts(session: Session, caller: Principal) -> dict[str, int]:
    """How many records each review list holds today (the province's home page shows them)."""
    today, keyring = local_today(), get_keyring()
    counts = {
        which.value: len(review_list(session, caller, which, today=today, keyring=keyring))
        for which in ReviewList
    }
    counts[LINGERING] = len(lingering_assistance(session, today))
    return counts


def lingering_assistance(session: Session, today: date) -> list[tuple[str, int, date]]:
    """Cities whose oldest open assistance record was opened over six months ago:
    (city code, open records, the oldest one's opening date), oldest first."""
    cutoff = today - LINGERING_AFTER
    rows = assistance.open_cases_by_city(session).items()
    return sorted(
        ((code, count, oldest) for code, (count, oldest) in rows if oldest < cutoff),
        key=lambda row: (row[2], row[0]),
    )


def review_titles() -> dict[str, str]:
    return {
        **{which.value: title for which, title in TITLES_ZH.items()},
        LINGERING: LINGERING_TITLE,
    }
