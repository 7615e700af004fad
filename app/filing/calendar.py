"""The filing calendar: for a quarter, each city's latest submission and the deadline.

A city has filed once a submission of the period is `applied`; it waits on the province
while one is `pending_review`; anything else (nothing, an invalid or rejected file, a
valid one not yet submitted) is late once the deadline has passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.reference import city_names
from app.core.settings import get_settings
from app.filing.constants import PERIOD_PATTERN, SubmissionStatus
from app.filing.models import Submission

NONE = "none"
# Where a city stands, as the province's page groups them.
FILED = "filed"
WAITING = "waiting"
OPEN = "open"
OVERDUE = "overdue"
_SETTLED = {SubmissionStatus.applied.value: FILED, SubmissionStatus.pending_review.value: WAITING}


@dataclass(frozen=True)
class CityFiling:
    city_code: str
    city_name: str
    status: str  # the latest submission's status, or `none`
    submission_id: str | None
    updated_at: datetime | None

    def standing(self, today: date, deadline: date) -> str:
        """filed | waiting | open | overdue on `today`."""
        settled = _SETTLED.get(self.status)
        if settled is not None:
            return settled
        return OVERDUE if today > deadline else OPEN


@dataclass(frozen=True)
class Calendar:
    period: str
    deadline: date
    cities: list[CityFiling]

    def overdue(self, today: date) -> list[CityFiling]:
        return [c for c in self.cities if c.standing(today, self.deadline) == OVERDUE]


def current_period(today: date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def deadline_of(period: str) -> date:
    """The quarter's last day plus the configured number of days."""
    if re.fullmatch(PERIOD_PATTERN, period) is None:
        raise ValueError(f"not a period: {period!r}")
    year, quarter = int(period[:4]), int(period[5])
    first_of_next = date(year + quarter // 4, quarter % 4 * 3 + 1, 1)
    return first_of_next - timedelta(days=1) + timedelta(days=get_settings().filing_deadline_days)


def days_left(period: str, today: date) -> int:
    """Days from `today` to the deadline: 0 on the day itself, negative once late."""
    return (deadline_of(period) - today).days


def filing_calendar(session: Session, period: str, *, city_code: str | None = None) -> Calendar:
    """Every city (or the one given) with its latest submission of the period."""
    latest = _latest_submissions(session, period)
    cities = [
        _city_filing(code, name, latest.get(code))
        for code, name in city_names().items()
        if city_code is None or code == city_code
    ]
    return Calendar(period=period, deadline=deadline_of(period), cities=cities)


def _latest_submissions(session: Session, period: str) -> dict[str, Submission]:
    newest = (
        select(Submission.city_code, func.max(Submission.created_at).label("created_at"))
        # A withdrawn upload counts as never made.
        .where(Submission.period == period, Submission.status != SubmissionStatus.withdrawn)
        .group_by(Submission.city_code)
        .subquery()
    )
    rows = session.scalars(
        select(Submission)
        .join(
            newest,
            (Submission.city_code == newest.c.city_code)
            & (Submission.created_at == newest.c.created_at),
        )
        .where(Submission.period == period)
        .order_by(Submission.id)
    )
    return {submission.city_code: submission for submission in rows}


def _city_filing(code: str, name: str, submission: Submission | None) -> CityFiling:
    if submission is None:
        return CityFiling(code, name, NONE, None, None)
    moments = [submission.created_at, submission.submitted_at, submission.decided_at]
    return CityFiling(
        city_code=code,
        city_name=name,
        status=submission.status,
        submission_id=str(submission.id),
        updated_at=max(moment for moment in moments if moment is not None),
    )
