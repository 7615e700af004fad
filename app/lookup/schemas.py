"""Request and response shapes of the priority lookup (contract: "Priority lookup")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.core.text_fields import CHECK_LINE
from app.lookup.rules import Basis
from app.registry.fields import IdNumber

MAX_BATCH = 1000

# Text is stored and shown to other cities in access logs: no ID number, no control
# character (PostgreSQL refuses NUL outright).
Purpose = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    CHECK_LINE,
    Field(
        description="Why the caller asks (case or file number), 1–200 characters, never an ID "
        "number (`id_number_in_text`); recorded."
    ),
]
CardNo = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=32,
        pattern=r"^[0-9A-Za-z-]+$",
    ),
]
# A service of the province's list (`/api/v1/reference/services`): the notice's six and any
# the province adds (its 等); checked against the list when the lookup is answered.
ServiceCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$"),
    Field(description="A service code of /api/v1/reference/services, e.g. housing."),
]
# Long enough for any spelling of an 18-character number (spaces, full-width digits).
RawIdNumber = Annotated[str, StringConstraints(max_length=64)]


class LookupRequest(BaseModel):
    id_number: IdNumber | None = Field(
        default=None, description="公民身份号码 (18 characters); or give `card_no`."
    )
    card_no: CardNo | None = Field(default=None, description="蓝卡卡号; or give `id_number`.")
    service: ServiceCode
    purpose: Purpose

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id_number": "34010219800101001X", "service": "housing", "purpose": "购房资格审核"}
            ]
        }
    )

    @model_validator(mode="after")
    def _exactly_one_subject(self) -> LookupRequest:
        if (self.id_number is None) == (self.card_no is None):
            raise PydanticCustomError(
                "id_number_or_card_no", "请提供身份证号或蓝卡卡号中的一项（只能提供一项）"
            )
        return self


# A card number as sent in a batch: a malformed one is that entry's error, not the batch's.
RawCardNo = Annotated[str, StringConstraints(max_length=64)]


class LookupBatchRequest(BaseModel):
    service: ServiceCode
    purpose: Purpose
    id_numbers: list[RawIdNumber] | None = Field(
        default=None, min_length=1, max_length=MAX_BATCH, description="Or give `card_nos`."
    )
    card_nos: list[RawCardNo] | None = Field(
        default=None, min_length=1, max_length=MAX_BATCH, description="Or give `id_numbers`."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service": "housing",
                    "purpose": "购房资格审核 2026-118",
                    "id_numbers": ["34010219800101001X", "340102198001010011"],
                }
            ]
        }
    )

    @model_validator(mode="after")
    def _exactly_one_list(self) -> LookupBatchRequest:
        if (self.id_numbers is None) == (self.card_nos is None):
            raise PydanticCustomError(
                "id_numbers_or_card_nos", "请提供身份证号列表或蓝卡卡号列表中的一项（只能提供一项）"
            )
        return self

    @property
    def size(self) -> int:
        return len(self.id_numbers or self.card_nos or ())


class MarkerRef(BaseModel):
    code: str
    valid_until: date


class PersonOut(BaseModel):
    name: str
    id_number_masked: str


class LookupAnswer(BaseModel):
    """`person` is absent unless the caller may see it; null on a negative answer."""

    priority: bool
    service: ServiceCode
    basis: Basis | None
    marker: MarkerRef | None
    lookup_id: uuid.UUID
    checked_at: datetime
    person: PersonOut | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "priority": True,
                    "service": "housing",
                    "basis": "holder",
                    "marker": {"code": "LT-7Q2K9M4X8B1C", "valid_until": "2029-10-31"},
                    "lookup_id": "5f0c2a9e-8d1b-4c57-9a43-2e6f1b7d3c80",
                    "checked_at": "2026-11-24T09:30:00+08:00",
                    "person": {"name": "张三", "id_number_masked": "340102**********1X"},
                }
            ]
        }
    )


class BatchAnswer(BaseModel):
    id_number_masked: str
    priority: bool
    service: ServiceCode
    basis: Basis | None
    marker: MarkerRef | None
    person: PersonOut | None = None


class CardBatchAnswer(BaseModel):
    card_no: str
    priority: bool
    service: ServiceCode
    basis: Basis | None
    marker: MarkerRef | None
    person: PersonOut | None = None


class EntryError(BaseModel):
    code: Literal["invalid_id_number", "invalid_card_no"]
    message: str


class BatchError(BaseModel):
    id_number_masked: str
    error: EntryError


class CardBatchError(BaseModel):
    card_no: str
    error: EntryError


class LookupBatchAnswer(BaseModel):
    """One entry per input, in order: `id_number_masked` entries for `id_numbers`,
    `card_no` entries for `card_nos`."""

    results: list[BatchAnswer | BatchError | CardBatchAnswer | CardBatchError]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "id_number_masked": "340102**********1X",
                            "priority": True,
                            "service": "housing",
                            "basis": "holder",
                            "marker": {"code": "LT-7Q2K9M4X8B1C", "valid_until": "2029-10-31"},
                        },
                        {
                            "id_number_masked": "340102**********11",
                            "error": {"code": "invalid_id_number", "message": "身份证号码无效。"},
                        },
                    ]
                }
            ]
        }
    )


class AccessLogEntry(BaseModel):
    lookup_id: uuid.UUID
    occurred_at: datetime
    caller_kind: Literal["user", "partner"]
    caller_name: str
    service: ServiceCode | None = Field(
        description="Null for a read of the record (a page, a search, a filing check)."
    )
    purpose: str
    outcome: str = Field(
        description="A lookup's answer (priority, no_priority, invalid), or for a read what "
        "it showed (shown, not_found, other_city)."
    )
    basis: Basis | None
    subject: str = Field(
        description="Whose lookup: `self` (the talent themself) or the relation code of one of "
        "their registered dependents (`/api/v1/reference/relations`, e.g. spouse, child)."
    )


class AccessLogPage(BaseModel):
    items: list[AccessLogEntry]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page."
    )


class MyLookup(BaseModel):
    lookup_id: uuid.UUID
    occurred_at: datetime
    service: ServiceCode | None
    purpose: str
    query_kind: Literal["id_number", "card_no", "talent_id"]
    outcome: str
    basis: Basis | None
    batch_id: uuid.UUID | None
    id_number_masked: str | None = Field(
        description="Only for lookups that found priority (the answer showed the person "
        "then); null otherwise. The record itself holds no ID number."
    )


class MyLookupsPage(BaseModel):
    items: list[MyLookup]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page."
    )
