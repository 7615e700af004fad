"""Request and response shapes of the key-task ledger."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.text_fields import FreeText, NoteText
from app.tasks.deadlines import DeadlineKind, ReportStatus, TaskStatus


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    report_date: date
    reporting_unit: FreeText = Field(
        min_length=1, max_length=100, description="One of the task's lead or cooperating units"
    )
    text: NoteText = Field(min_length=1, max_length=2000, description="进展情况")
    status: ReportStatus = ReportStatus.in_progress
    percent: int | None = Field(default=None, ge=0, le=100)
    period_year: int | None = Field(
        default=None, description="The year whose deadline this report answers; the report's own"
    )


class ReportOut(BaseModel):
    id: int
    task_number: int
    report_date: date
    period_year: int
    reporting_unit: str
    text: str
    status: ReportStatus
    status_name: str
    percent: int | None
    recorded_by: str
    recorded_at: datetime


class TaskOut(BaseModel):
    number: int
    task: str
    lead_units: list[str]
    lead_units_text: str
    cooperating_units: list[str]
    cooperating_units_text: str
    deadline_text: str
    deadline_kind: DeadlineKind
    deadline_date: date | None
    deadline_month: int | None
    status: TaskStatus
    status_name: str
    overdue: bool
    period_year: int | None = Field(description="For yearly tasks, the period judged today")
    last_report: ReportOut | None


class TaskPage(BaseModel):
    as_of: date
    items: list[TaskOut]
    total: int
    page: int
    page_size: int


class ReportPage(BaseModel):
    items: list[ReportOut]
    total: int
    page: int
    page_size: int
