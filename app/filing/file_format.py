"""The JSON submission file: one model per record kind, and the JSON Schema built from them.

`schemas/submission.schema.json` is this module's output
(`python -m app.filing.file_format > schemas/submission.schema.json`); a test fails when the
committed copy drifts. Row validation (`app/filing/rows.py`) shares the limits below, and
accepts the same content from CSV and XLSX files.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.registry.codes import CATEGORY_SHORT_ZH, RELATION_ZH, SKILL_LEVEL_ZH, SkillLevel

EARLIEST_YEAR = 1950
EARLIEST_HONOR_YEAR = 1949  # the contract: an honour's year from 1949 to the filing year

# Longest accepted text per field, as the registry stores them.
MAX_LENGTH: dict[str, int] = {
    "name": 50,
    "employer": 200,
    "occupation": 100,
    "card_no": 32,
    "note": 2000,
    "title": 200,
    "conferred_by": 200,
    "certificate_no": 100,
    "reason": 200,
}


class Action(StrEnum):
    upsert = "upsert"
    retire = "retire"


ACTION_ZH: dict[Action, str] = {Action.upsert: "新增或更新", Action.retire: "退出"}

_ID_PATTERN = r"^[0-9]{17}[0-9Xx]$"
_USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"


def _names(names: dict[Any, str]) -> str:
    return ", ".join(f"`{code}` ({zh})" for code, zh in names.items())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConditionEntry(_Strict):
    met: bool = Field(description="Whether the city judges the condition met.")
    note: str | None = Field(
        None, max_length=MAX_LENGTH["note"], description="The city's written justification."
    )


class Conditions(_Strict):
    contribution: ConditionEntry = Field(
        description="Outstanding contribution to economic development (突出贡献)."
    )
    skill_performance: ConditionEntry = Field(
        description="Superb skill and first-class performance (技艺业绩)."
    )
    frontline: ConditionEntry = Field(description="Long-term work in a front-line post (一线坚守).")


# Lists the province extends (`GET /api/v1/reference/{kind}`): not an enum, so a code it
# adds is valid here as in the city's file; which codes are active is checked per row.
_EXTENDED = "or a code the province added ({}); the code or its Chinese name"


class HonorEntry(_Strict):
    category: str = Field(
        min_length=1,
        max_length=100,
        description=f"The talent category: {_names(CATEGORY_SHORT_ZH)}, "
        + _EXTENDED.format("`GET /api/v1/reference/categories`")
        + ".",
    )
    # Required: an honour is evidence only with these (row error `incomplete_honor`).
    title: str = Field(min_length=1, max_length=MAX_LENGTH["title"], description="荣誉名称.")
    conferred_by: str = Field(
        min_length=1, max_length=MAX_LENGTH["conferred_by"], description="The conferring authority."
    )
    year: int = Field(
        ge=EARLIEST_HONOR_YEAR,
        description="Year conferred; not later than the filing year (`invalid_honor_year`).",
    )
    certificate_no: str | None = Field(None, max_length=MAX_LENGTH["certificate_no"])


class DependentEntry(_Strict):
    relation: str = Field(
        min_length=1,
        max_length=100,
        description=f"Relation to the talent: {_names(RELATION_ZH)}, "
        + _EXTENDED.format("`GET /api/v1/reference/relations`")
        + ".",
    )
    id_number: str = Field(pattern=_ID_PATTERN, description="Citizen ID number (GB 11643).")
    name: str = Field(min_length=1, max_length=MAX_LENGTH["name"])


class UpsertRecord(_Strict):
    """Create the person's record, or replace it with this content."""

    action: Literal["upsert"]
    id_number: str = Field(
        pattern=_ID_PATTERN, description="Citizen ID number (GB 11643); check character verified."
    )
    name: str = Field(min_length=1, max_length=MAX_LENGTH["name"])
    employer: str = Field(min_length=1, max_length=MAX_LENGTH["employer"])
    employer_uscc: str | None = Field(
        None, pattern=_USCC_PATTERN, description="The employer's unified social credit code."
    )
    occupation: str = Field(
        min_length=1, max_length=MAX_LENGTH["occupation"], description="职业工种, e.g. 数控车工."
    )
    skill_level: SkillLevel = Field(description=f"Skill level: {_names(SKILL_LEVEL_ZH)}.")
    card_no: str | None = Field(
        None, max_length=MAX_LENGTH["card_no"], description="The blue-card number, if issued."
    )
    frontline_since: int | None = Field(
        None, ge=EARLIEST_YEAR, description="Year the person began front-line work."
    )
    conditions: Conditions = Field(description="The three conditions; all must be met.")
    honors: list[HonorEntry] = Field(
        default_factory=list, description="Evidence of the talent categories."
    )
    dependents: list[DependentEntry] = Field(
        default_factory=list, description="Spouse and children registered for priority service."
    )


class RetireRecord(_Strict):
    """Take the person out of the city's leading-talent database; the marker is withdrawn."""

    action: Literal["retire"]
    id_number: str = Field(pattern=_ID_PATTERN, description="Citizen ID number (GB 11643).")
    reason: str = Field(
        min_length=1, max_length=MAX_LENGTH["reason"], description="Why, e.g. 退休."
    )


SubmissionRecord = Annotated[UpsertRecord | RetireRecord, Field(discriminator="action")]


class SubmissionFile(_Strict):
    """A city's record-filing (备案) submission: one record per person."""

    records: list[SubmissionRecord] = Field(description="One entry per person, in file order.")


def submission_json_schema() -> dict[str, Any]:
    schema = SubmissionFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


if __name__ == "__main__":
    print(json.dumps(submission_json_schema(), ensure_ascii=False, indent=2))
