"""Whether a key task is done, under way or overdue on a given day: data in, answer out.

- `fixed_date`: overdue once the date has passed without any `done` report.
- `yearly_by_month`: the task is due every year by the end of a month. The period at stake
  is the year of the most recent deadline that has passed (this year's once it is past,
  otherwise last year's), so a December deadline can be missed too; the task is overdue
  while that period has no `done` report.
- `long_term`, `event_dependent`: never overdue; their status follows the latest report.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

_T = TypeVar("_T")
# The notice was issued on 2018-10-18: no yearly period before 2018 is at stake.
FIRST_PERIOD_YEAR = 2018


class DeadlineKind(StrEnum):
    fixed_date = "fixed_date"
    yearly_by_month = "yearly_by_month"
    long_term = "long_term"
    event_dependent = "event_dependent"


class ReportStatus(StrEnum):
    in_progress = "in_progress"
    done = "done"


class TaskStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    overdue = "overdue"


TASK_STATUS_ZH: dict[TaskStatus, str] = {
    TaskStatus.not_started: "未报送进展",
    TaskStatus.in_progress: "推进中",
    TaskStatus.done: "已完成",
    TaskStatus.overdue: "已逾期",
}


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    date: date | None = None
    month: int | None = None


@dataclass(frozen=True)
class ReportFacts:
    report_date: date
    period_year: int
    status: ReportStatus


@dataclass(frozen=True)
class Assessment:
    status: TaskStatus
    overdue: bool
    # For yearly tasks, the year whose deadline is at stake today; None otherwise.
    period_year: int | None = None


def assess(deadline: Deadline, reports: Sequence[ReportFacts], today: date) -> Assessment:
    """The task's standing on `today`, from its deadline and all its reports."""
    if deadline.kind is DeadlineKind.fixed_date:
        return _assess_fixed(_required(deadline.date), reports, today)
    if deadline.kind is DeadlineKind.yearly_by_month:
        return _assess_yearly(_required(deadline.month), reports, today)
    return Assessment(_progress_of(reports), overdue=False)


def yearly_deadline(year: int, month: int) -> date:
    """The last day of `month` in `year`: "每年M月底前"."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _assess_fixed(due: date, reports: Sequence[ReportFacts], today: date) -> Assessment:
    if any(r.status is ReportStatus.done for r in reports):
        return Assessment(TaskStatus.done, overdue=False)
    if today > due:
        return Assessment(TaskStatus.overdue, overdue=True)
    return Assessment(_progress_of(reports), overdue=False)


def _assess_yearly(month: int, reports: Sequence[ReportFacts], today: date) -> Assessment:
    passed_this_year = today > yearly_deadline(today.year, month)
    at_stake = today.year if passed_this_year else today.year - 1
    if at_stake >= FIRST_PERIOD_YEAR and not _done_for(reports, at_stake):
        return Assessment(TaskStatus.overdue, overdue=True, period_year=at_stake)
    if passed_this_year:
        return Assessment(TaskStatus.done, overdue=False, period_year=at_stake)
    # The last deadline is met: what counts now is this year's progress towards its own.
    if _done_for(reports, today.year):
        return Assessment(TaskStatus.done, overdue=False, period_year=today.year)
    current = [r for r in reports if r.period_year == today.year]
    return Assessment(_progress_of(current), overdue=False, period_year=today.year)


def _done_for(reports: Sequence[ReportFacts], year: int) -> bool:
    return any(r.period_year == year and r.status is ReportStatus.done for r in reports)


def _progress_of(reports: Sequence[ReportFacts]) -> TaskStatus:
    if not reports:
        return TaskStatus.not_started
    latest = max(reports, key=lambda r: r.report_date)
    return TaskStatus.done if latest.status is ReportStatus.done else TaskStatus.in_progress


def _required(value: _T | None) -> _T:
    if value is None:
        raise ValueError("deadline is missing its date or month")
    return value
