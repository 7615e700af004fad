"""The province's oversight pages (province admins and auditors).

- 报送日历: which cities have filed a quarter, which wait for review, which are late (the
  same `filing_calendar` the API answers);
- 动态管理: the review lists (`registry.review_lists`), each with an XLSX export.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.keys import get_keyring
from app.filing.calendar import current_period, filing_calendar
from app.filing.constants import PERIOD_PATTERN
from app.pages.rendering import render
from app.pages.session import page_gate
from app.pages.submissions import XLSX_TYPE, attachment
from app.registry.markers import local_today
from app.registry.review_export import DUE_ZH, TITLES_ZH, review_xlsx
from app.registry.review_lists import ReviewList, review_list

router = APIRouter()

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
    return render(request, "review_lists.html", {"counts": counts, "titles": TITLES_ZH})


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


def review_counts(session: Session, caller: Principal) -> dict[ReviewList, int]:
    """How many records each review list holds today (the province's home page shows them)."""
    today, keyring = local_today(), get_keyring()
    return {
        which: len(review_list(session, caller, which, today=today, keyring=keyring))
        for which in ReviewList
    }
