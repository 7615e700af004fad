"""Request and response shapes of the registry's admin API (province, cities, auditors).

No shape carries a full ID number: responses show `id_number_masked`; the only clear ID
number accepted is a new dependent's, validated here.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.core.text_fields import FreeText, NoteText
from app.registry.codes import Condition, MarkerStatus, SkillLevel
from app.registry.fields import IdNumber, Uscc

MarkerStatusFilter = Literal["active", "suspended", "revoked", "expired", "none"]
TalentStatus = Literal["filed", "retired"]


class ConditionOut(BaseModel):
    code: Condition
    name_zh: str
    met: bool
    note: str | None


class HonorOut(BaseModel):
    category: str
    category_name_zh: str
    title: str | None
    conferred_by: str | None
    year: int | None
    certificate_no: str | None


class DependentOut(BaseModel):
    id: int
    relation: str = Field(description="A relation code (`/api/v1/reference/relations`)")
    relation_name_zh: str
    name: str
    id_number_masked: str


class MarkerOut(BaseModel):
    code: str
    status: MarkerStatus
    granted_on: date
    valid_until: date
    reason: str | None
    changed_at: datetime


class ReasonOut(BaseModel):
    code: str
    holds: bool
    reason_zh: str
    reason_en: str


class EligibilityOut(BaseModel):
    eligible: bool
    route: Literal["selection", "merit"] | None = Field(
        description="selection: 3 conditions and 1 of 6 categories; merit: a state merit honour"
    )
    rules_version: str
    conditions: list[ReasonOut]
    categories: list[ReasonOut]
    summary_zh: str
    summary_en: str


class BlueCardOut(BaseModel):
    card_no: str
    city_code: str
    occupation: str | None
    skill_level: str | None
    issued_on: date | None


class TalentListItem(BaseModel):
    id: uuid.UUID
    name: str
    id_number_masked: str
    gender: Literal["M", "F"]
    city_code: str
    city_name: str
    employer: str
    occupation: str
    skill_level: SkillLevel
    categories: list[str]
    status: TalentStatus
    eligible: bool
    marker_status: str | None
    marker_valid_until: date | None
    filed_on: date


class TalentPage(BaseModel):
    items: list[TalentListItem]
    next_cursor: str | None


class TalentDetail(BaseModel):
    id: uuid.UUID
    version: int
    name: str
    id_number_masked: str
    gender: Literal["M", "F"]
    age_band: str = Field(description="Age in whole decades, e.g. `50-59`; never the birth date")
    city_code: str
    city_name: str
    employer: str
    employer_uscc: str | None
    occupation: str
    skill_level: SkillLevel
    skill_level_name_zh: str
    card_no: str | None
    frontline_since: int | None
    status: TalentStatus
    retired_reason: str | None
    first_filed_on: date
    filed_on: date
    last_submission_id: uuid.UUID | None
    conditions: list[ConditionOut]
    honors: list[HonorOut]
    dependents: list[DependentOut]
    marker: MarkerOut | None
    eligibility: EligibilityOut
    blue_card: BlueCardOut | None


class VersionOut(BaseModel):
    version: int
    occurred_at: datetime
    actor: str
    source: Literal["submission", "admin"]
    submission_id: uuid.UUID | None
    action: str
    reason: str | None
    changes: dict[str, list[Any]]


class TalentHistory(BaseModel):
    items: list[VersionOut]


class MarkerStateOut(BaseModel):
    code: str
    state: Literal["active", "suspended", "revoked", "expired", "withdrawn"]


class TalentStatusOn(BaseModel):
    """The marker and the holder's priorities as they stood at the end of `on`."""

    on: date
    marker: MarkerStateOut | None = Field(description="None: no marker had been granted yet.")
    services: dict[str, bool] = Field(description="Each priority service: held that day or not.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "on": "2026-11-24",
                    "marker": {"code": "LT-7Q2K9M4X8B1C", "state": "active"},
                    "services": {
                        "employment": True,
                        "social_insurance": True,
                        "medical": True,
                        "education": True,
                        "housing": True,
                        "hukou": True,
                    },
                }
            ]
        }
    )


class ConditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    met: bool
    note: NoteText | None = Field(default=None, max_length=2000)


class HonorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(
        max_length=40, description="An active category code (`/api/v1/reference/categories`)"
    )
    title: FreeText | None = Field(default=None, max_length=200)
    conferred_by: FreeText | None = Field(default=None, max_length=200)
    year: int | None = Field(default=None, ge=1949, le=2100)
    certificate_no: FreeText | None = Field(default=None, max_length=100)


class DependentIn(BaseModel):
    """Keep a registered dependent by `id`, or add one with `id_number`."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    id_number: IdNumber | None = None
    relation: str = Field(
        max_length=40, description="An active relation code (`/api/v1/reference/relations`)"
    )
    name: FreeText = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _id_or_number(self) -> DependentIn:
        if (self.id is None) == (self.id_number is None):
            raise PydanticCustomError(
                "dependent_id_or_number", "家属须给出已登记家属的 id 或新家属的身份证号，二者择一"
            )
        return self


class TalentEdit(BaseModel):
    """The fields a province admin may correct. Lists, when given, replace the stored ones."""

    model_config = ConfigDict(extra="forbid")

    name: FreeText | None = Field(default=None, min_length=1, max_length=50)
    employer: FreeText | None = Field(default=None, min_length=1, max_length=200)
    employer_uscc: Uscc | None = None
    occupation: FreeText | None = Field(default=None, min_length=1, max_length=100)
    skill_level: SkillLevel | None = None
    card_no: FreeText | None = Field(default=None, max_length=32)
    frontline_since: int | None = Field(default=None, ge=1949, le=2100)
    conditions: dict[Condition, ConditionIn] | None = None
    honors: list[HonorIn] | None = Field(default=None, max_length=20)
    dependents: list[DependentIn] | None = Field(default=None, max_length=20)

    @field_validator("name", "employer", "occupation", "skill_level", "conditions")
    @classmethod
    def _required_stay_set(cls, value: object) -> object:
        # Runs only on a value given: these may be left out, not set to null.
        if value is None:
            raise PydanticCustomError("required", "不能为空")
        return value


class Retirement(BaseModel):
    """A record taken off the register by hand (退出), with the reason."""

    model_config = ConfigDict(extra="forbid")

    reason: FreeText = Field(min_length=1, max_length=200)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("required", "请填写退出原因")
        return value


class MarkerAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: FreeText = Field(min_length=1, max_length=300)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("required", "请填写原因")
        return value


class RevokeAction(MarkerAction):
    """A revocation names its exit reason from the province's list (`/api/v1/reference/
    exit-reasons`), and says why in `reason`."""

    exit_reason: str = Field(
        max_length=40, description="An exit-reason code, e.g. misconduct (违法违纪)."
    )
