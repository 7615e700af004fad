"""What the submissions API answers and accepts (the contract's shapes, and the review's)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.keys import get_keyring
from app.core.reference import city_names
from app.core.text_fields import CHECK_LINE
from app.filing.constants import COUNT_KEYS, Outcome, SubmissionStatus
from app.filing.file_format import Action
from app.filing.models import Submission, SubmissionError, SubmissionRow
from app.filing.sealed import unseal
from app.registry.eligibility import AddedCategories
from app.registry.plans import plan_create
from app.registry.records import TalentData


class SubmissionCounts(BaseModel):
    rows: int = Field(description="Data rows in the file.")
    errors: int = Field(description="Rows with at least one error.")
    create: int = Field(description="Valid rows that would create a record.")
    update: int = Field(description="Valid rows that would change a record.")
    retire: int = Field(description="Valid rows that would retire a record.")
    unchanged: int = Field(description="Valid rows that would re-file a record as it is.")


class SubmissionOut(BaseModel):
    """A submission as the contract gives it."""

    id: uuid.UUID
    city_code: str
    period: str
    status: SubmissionStatus
    sha256: str = Field(description="SHA-256 of the uploaded file, hex.")
    counts: SubmissionCounts

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3d6f0c1a-2b4e-4f8a-9c7d-5e1b2a3c4d5e",
                    "city_code": "340100",
                    "period": "2026Q4",
                    "status": "validated",
                    "sha256": "9f2b5c0e7a1d4f3b8c6e2a9d1f0b7c5e3a8d6f4b2c1e0a9f8d7c6b5a4e3f2d1c",
                    "counts": {
                        "rows": 120,
                        "errors": 0,
                        "create": 100,
                        "update": 15,
                        "retire": 5,
                        "unchanged": 0,
                    },
                }
            ]
        }
    )


class SubmissionSummary(SubmissionOut):
    """A submission in the review queue: the contract's object and its history."""

    model_config = ConfigDict(json_schema_extra=None)

    city_name: str
    file_name: str
    file_format: str
    size_bytes: int
    created_by: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    reject_reason: str | None


class SubmissionPage(BaseModel):
    items: list[SubmissionSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page."
    )


class ReportError(BaseModel):
    row: int = Field(description="The data row, counting from 1 after the header.")
    sheet_row: int | None = Field(
        default=None,
        description="The row's own line in the spreadsheet or CSV file, as Excel numbers it "
        "(title rows above the header included); null for a JSON file.",
    )
    field: str = Field(description="The field's path in the JSON format, e.g. honors[0].year.")
    code: str
    message: str = Field(description="What is wrong and how to fix it, in Chinese.")


class SubmissionReport(BaseModel):
    errors: list[ReportError]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "errors": [
                        {
                            "row": 7,
                            "field": "id_number",
                            "code": "invalid_id_number",
                            "message": "身份证号码无效。",
                        }
                    ]
                }
            ]
        }
    )


class PreviewRow(BaseModel):
    row: int
    action: Action
    outcome: Outcome
    id_number_masked: str
    name: str | None
    changes: dict[str, list[Any]] = Field(
        description="field -> [before, after]; ID numbers masked. A create lists every field."
    )
    eligible_after: bool
    ineligible_reason: str | None = Field(description="Why not eligible after approval (zh).")


class SubmissionPreview(BaseModel):
    items: list[PreviewRow]
    total: int
    page: int
    page_size: int
    ignored_columns: list[str] = Field(
        description="Header cells of the file that are not in the format: not read."
    )
    rows_kept_until: datetime | None = Field(
        description="When the rows are deleted (BLUECARD_UPLOAD_ROW_RETENTION_DAYS after the "
        "submission closed; null while it is open). After that the preview is empty and "
        "the counts, SHA-256 and row errors remain."
    )


class RejectIn(BaseModel):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), CHECK_LINE
    ]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "第 7 行身份证号码有误，请核对后重新报送。"}]}
    )


def submission_out(submission: Submission) -> SubmissionOut:
    return SubmissionOut(**_contract_fields(submission))


def submission_summary(submission: Submission) -> SubmissionSummary:
    return SubmissionSummary(
        **_contract_fields(submission),
        city_name=city_names().get(submission.city_code, submission.city_code),
        file_name=submission.file_name,
        file_format=submission.file_format,
        size_bytes=submission.size_bytes,
        created_by=submission.created_by,
        created_at=submission.created_at,
        submitted_at=submission.submitted_at,
        decided_at=submission.decided_at,
        decided_by=submission.decided_by,
        reject_reason=submission.reject_reason,
    )


def report_error(error: SubmissionError) -> ReportError:
    return ReportError(
        row=error.row_no,
        sheet_row=error.sheet_row,
        field=error.field,
        code=error.code,
        message=error.message,
    )


def preview_row(row: SubmissionRow, categories: AddedCategories) -> PreviewRow:
    """A stored row as the preview shows it; a create's fields and eligibility are derived
    from its sealed record here (see `judging`), with the categories the province added
    (`records.added_categories`)."""
    changes, eligible, reason = row.diff, row.eligible_after, row.ineligible_reason
    if row.outcome == Outcome.create:
        record = unseal(row.record_cipher, get_keyring())
        assert isinstance(record, TalentData)  # only an upsert creates
        plan = plan_create(record, get_keyring(), categories)
        decision, changes = plan.decision, plan.changes
        eligible, reason = decision.eligible, None if decision.eligible else decision.summary_zh
    return PreviewRow(
        row=row.row_no,
        action=Action(row.action),
        outcome=Outcome(row.outcome),
        id_number_masked=row.id_masked,
        name=row.name,
        changes=changes or {},
        eligible_after=bool(eligible),
        ineligible_reason=reason,
    )


def _contract_fields(submission: Submission) -> dict[str, Any]:
    counts = {key: int(submission.counts.get(key, 0)) for key in COUNT_KEYS}
    return {
        "id": submission.id,
        "city_code": submission.city_code,
        "period": submission.period,
        "status": SubmissionStatus(submission.status),
        "sha256": submission.sha256,
        "counts": SubmissionCounts(**counts),
    }
