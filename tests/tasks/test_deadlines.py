"""The overdue computation, as a table of deadlines, reports and days."""

from __future__ import annotations

from datetime import date

import pytest

from app.tasks.deadlines import (
    Assessment,
    Deadline,
    DeadlineKind,
    ReportFacts,
    ReportStatus,
    TaskStatus,
    assess,
    yearly_deadline,
)

FIXED = Deadline(DeadlineKind.fixed_date, date=date(2019, 3, 31))
BY_OCTOBER = Deadline(DeadlineKind.yearly_by_month, month=10)
BY_DECEMBER = Deadline(DeadlineKind.yearly_by_month, month=12)
LONG_TERM = Deadline(DeadlineKind.long_term)
ON_EVENT = Deadline(DeadlineKind.event_dependent)

DONE, GOING = ReportStatus.done, ReportStatus.in_progress


def report(day: str, status: ReportStatus, period: int | None = None) -> ReportFacts:
    on = date.fromisoformat(day)
    return ReportFacts(on, period if period is not None else on.year, status)


CASES = [
    # fixed date: before, on and after the deadline
    (FIXED, [], "2019-03-01", TaskStatus.not_started, False, None),
    (FIXED, [report("2019-02-01", GOING)], "2019-03-31", TaskStatus.in_progress, False, None),
    (FIXED, [], "2019-04-01", TaskStatus.overdue, True, None),
    (FIXED, [report("2019-02-01", GOING)], "2026-11-25", TaskStatus.overdue, True, None),
    (FIXED, [report("2019-03-20", DONE)], "2026-11-25", TaskStatus.done, False, None),
    # a late "done" still ends the follow-up
    (FIXED, [report("2020-06-01", DONE)], "2026-11-25", TaskStatus.done, False, None),
    # yearly by October: this year's deadline not yet passed, last year's batch done
    (BY_OCTOBER, [report("2025-10-20", DONE)], "2026-05-01", TaskStatus.not_started, False, 2026),
    (
        BY_OCTOBER,
        [report("2025-10-20", DONE), report("2026-04-01", GOING)],
        "2026-05-01",
        TaskStatus.in_progress,
        False,
        2026,
    ),
    # this year's deadline passed without this year's "done"
    (BY_OCTOBER, [report("2025-10-20", DONE)], "2026-11-01", TaskStatus.overdue, True, 2026),
    (BY_OCTOBER, [report("2026-10-31", DONE)], "2026-11-01", TaskStatus.done, False, 2026),
    # the last deadline was last year's, and it was missed
    (BY_OCTOBER, [], "2026-05-01", TaskStatus.overdue, True, 2025),
    # a "done" for last year reported in January counts for last year
    (
        BY_DECEMBER,
        [report("2027-01-10", DONE, 2026)],
        "2027-02-01",
        TaskStatus.not_started,
        False,
        2027,
    ),
    (BY_DECEMBER, [report("2026-12-20", DONE)], "2027-01-01", TaskStatus.not_started, False, 2027),
    (BY_DECEMBER, [report("2026-06-20", GOING)], "2027-01-01", TaskStatus.overdue, True, 2026),
    (
        BY_DECEMBER,
        [report("2025-12-01", DONE), report("2026-12-31", DONE)],
        "2026-12-31",
        TaskStatus.done,
        False,
        2026,
    ),
    (BY_DECEMBER, [report("2026-12-31", DONE)], "2026-12-31", TaskStatus.overdue, True, 2025),
    # no period before the notice (2018) is at stake
    (BY_DECEMBER, [], "2018-11-01", TaskStatus.not_started, False, 2018),
    # long-term and event-dependent tasks are never overdue
    (LONG_TERM, [], "2030-01-01", TaskStatus.not_started, False, None),
    (LONG_TERM, [report("2019-01-01", GOING)], "2030-01-01", TaskStatus.in_progress, False, None),
    (
        LONG_TERM,
        [report("2019-01-01", DONE), report("2020-01-01", GOING)],
        "2030-01-01",
        TaskStatus.in_progress,
        False,
        None,
    ),
    (ON_EVENT, [report("2021-01-01", DONE)], "2030-01-01", TaskStatus.done, False, None),
    (ON_EVENT, [], "2030-01-01", TaskStatus.not_started, False, None),
]


@pytest.mark.parametrize(("deadline", "reports", "today", "status", "overdue", "period"), CASES)
def test_assessment(
    deadline: Deadline,
    reports: list[ReportFacts],
    today: str,
    status: TaskStatus,
    overdue: bool,
    period: int | None,
) -> None:
    assert assess(deadline, reports, date.fromisoformat(today)) == Assessment(
        status, overdue, period
    )


def test_yearly_deadline_is_the_last_day_of_the_month() -> None:
    assert yearly_deadline(2024, 2) == date(2024, 2, 29)
    assert yearly_deadline(2026, 10) == date(2026, 10, 31)


def test_fixed_deadline_without_a_date_is_an_error() -> None:
    with pytest.raises(ValueError, match="missing"):
        assess(Deadline(DeadlineKind.fixed_date), [], date(2026, 1, 1))
