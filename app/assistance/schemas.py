"""Request and response shapes of assistance cases. ID numbers appear masked only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.assistance.constants import CaseStatus, ServiceKind
from app.core.text_fields import FreeText, NoteText


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_JOB_SEEKERS = (
    "Ids of the talent's registered spouse or children who want work and have none "
    "(有就业愿望但未就业): they have employment priority while the case is open"
)


class CaseCreate(_In):
    talent_id: uuid.UUID
    employer: FreeText | None = Field(
        default=None,
        max_length=200,
        description="The employer in difficulty; the talent's own when omitted",
    )
    situation: NoteText = Field(min_length=1, max_length=5000, description="企业困难情况")
    measures: NoteText = Field(min_length=1, max_length=5000, description="稳定就业帮扶措施")
    job_seekers: list[int] = Field(default_factory=list, max_length=50, description=_JOB_SEEKERS)


class CaseUpdate(_In):
    situation: NoteText | None = Field(default=None, min_length=1, max_length=5000)
    measures: NoteText | None = Field(default=None, min_length=1, max_length=5000)
    job_seekers: list[int] | None = Field(default=None, max_length=50, description=_JOB_SEEKERS)

    @model_validator(mode="after")
    def _something_to_change(self) -> CaseUpdate:
        if self.situation is None and self.measures is None and self.job_seekers is None:
            raise ValueError("请至少填写困难情况、帮扶措施或求职家属之一")
        return self


class ServiceCreate(_In):
    dependent_id: int = Field(description="A registered dependent (spouse or child) of the talent")
    kind: ServiceKind
    service_date: date
    outcome: NoteText = Field(min_length=1, max_length=2000)


class CaseClose(_In):
    result: NoteText = Field(min_length=1, max_length=5000, description="帮扶结果")
    closed_on: date | None = Field(default=None, description="Today when omitted")


class CaseDependentOut(BaseModel):
    id: int
    relation: str
    relation_name: str
    name: str
    id_number_masked: str


class ServiceOut(BaseModel):
    id: int
    dependent_id: int | None
    dependent_relation: str
    dependent_name: str
    dependent_id_masked: str
    kind: ServiceKind
    kind_name: str
    service_date: date
    outcome: str
    recorded_by: str
    recorded_at: datetime


class CaseSummary(BaseModel):
    id: uuid.UUID
    talent_id: uuid.UUID
    talent_name: str
    city_code: str
    city_name: str
    employer: str
    status: CaseStatus
    status_name: str
    opened_on: date
    closed_on: date | None
    days_open: int


class CaseOut(CaseSummary):
    situation: str
    measures: str
    opened_by: str
    closed_by: str | None
    result: str | None
    services: list[ServiceOut]
    dependents: list[CaseDependentOut] = Field(description="The talent's registered dependents")
    job_seekers: list[int] = Field(description=_JOB_SEEKERS)


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class CityOpenCases(BaseModel):
    city_code: str
    city_name: str
    open_cases: int
    longest_days_open: int | None
    oldest_opened_on: date | None


class AssistanceSummary(BaseModel):
    as_of: date
    open_cases: int
    cities: list[CityOpenCases]
