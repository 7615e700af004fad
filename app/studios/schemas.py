"""Request and response shapes of direct project reporting."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import object_session

from app.core.reference import city_names, name_zh, owner_unit, refresh_labels
from app.core.text_fields import FreeText, NoteText
from app.studios.constants import PROGRAMMES, STATUS_ZH, ApplicationStatus
from app.studios.models import Studio, StudioApplication


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Attachment(_In):
    name: FreeText = Field(min_length=1, max_length=200, description="附件名称")
    description: NoteText | None = Field(default=None, max_length=500)


class AttachmentOut(BaseModel):
    """As stored: read back without the input checks, which older rows may predate."""

    name: str
    description: str | None = None


class ApplicationCreate(_In):
    talent_id: uuid.UUID = Field(description="The leading talent who leads the studio")
    project_type: str = Field(
        max_length=40, description="An active code of `/api/v1/reference/studio-programmes`"
    )
    title: FreeText = Field(min_length=1, max_length=200)
    host_employer: FreeText = Field(min_length=1, max_length=200)
    host_uscc: FreeText = Field(min_length=1, max_length=40, description="统一社会信用代码")
    plan_summary: NoteText = Field(min_length=1, max_length=5000)
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)


class ApprovalIn(_In):
    batch_year: int | None = Field(
        default=None, description="The yearly batch (task 19); this year when omitted"
    )


class RejectionIn(_In):
    reason: FreeText = Field(min_length=1, max_length=500)


class StudioOut(BaseModel):
    id: uuid.UUID
    application_id: uuid.UUID
    talent_id: uuid.UUID
    talent_name: str
    city_code: str
    city_name: str
    project_type: str
    project_type_name: str
    name: str
    host_employer: str
    batch_year: int
    established_on: date


class ApplicationOut(BaseModel):
    id: uuid.UUID
    talent_id: uuid.UUID
    talent_name: str
    city_code: str
    city_name: str
    project_type: str
    project_type_name: str
    project_owner_unit: str | None = Field(description="The programme's owning unit")
    title: str
    host_employer: str
    host_uscc: str
    plan_summary: str
    attachments: list[AttachmentOut]
    status: ApplicationStatus
    status_name: str
    submitted_by: str
    submitted_at: datetime
    reviewed_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    reject_reason: str | None
    studio: StudioOut | None


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    total: int
    page: int
    page_size: int


class StudioPage(BaseModel):
    items: list[StudioOut]
    total: int
    page: int
    page_size: int


def studio_out(studio: Studio) -> StudioOut:
    return StudioOut(
        id=studio.id,
        application_id=studio.application_id,
        talent_id=studio.talent_id,
        talent_name=studio.talent.name,
        city_code=studio.city_code,
        city_name=city_names().get(studio.city_code, studio.city_code),
        project_type=studio.project_type,
        project_type_name=_programme(studio)[0],
        name=studio.name,
        host_employer=studio.host_employer,
        batch_year=studio.batch_year,
        established_on=studio.established_on,
    )


def application_out(application: StudioApplication) -> ApplicationOut:
    status = ApplicationStatus(application.status)
    programme, unit = _programme(application)
    return ApplicationOut(
        id=application.id,
        talent_id=application.talent_id,
        talent_name=application.talent.name,
        city_code=application.city_code,
        city_name=city_names().get(application.city_code, application.city_code),
        project_type=application.project_type,
        project_type_name=programme,
        project_owner_unit=unit,
        title=application.title,
        host_employer=application.host_employer,
        host_uscc=application.host_uscc,
        plan_summary=application.plan_summary,
        attachments=[AttachmentOut.model_validate(a) for a in application.attachments],
        status=status,
        status_name=STATUS_ZH[status],
        submitted_by=application.submitted_by,
        submitted_at=application.submitted_at,
        reviewed_at=application.reviewed_at,
        decided_by=application.decided_by,
        decided_at=application.decided_at,
        reject_reason=application.reject_reason,
        studio=studio_out(application.studio) if application.studio else None,
    )


def _programme(row: Studio | StudioApplication) -> tuple[str, str | None]:
    """The programme's name and owning unit, as the province's list has them now."""
    session = object_session(row)
    if session is not None:  # the row's session: read the list there (at most every 10 s)
        refresh_labels(session.connection(), PROGRAMMES)
    return name_zh(PROGRAMMES, row.project_type), owner_unit(PROGRAMMES, row.project_type)
