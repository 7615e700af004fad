"""City submissions for record-filing (备案), their validated rows and their row errors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.types import UTCDateTime, utcnow


class Submission(Base):
    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("city_code", "idempotency_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    period: Mapped[str] = mapped_column(String(16))
    # validated | invalid | pending_review | applied | rejected
    status: Mapped[str] = mapped_column(String(20), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Header cells of a CSV/XLSX file that are not in the format: their columns were not read.
    ignored_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    reject_reason: Mapped[str | None] = mapped_column(Text)


class SubmissionRow(Base):
    """A validated row, kept (encrypted) until approval applies it."""

    __tablename__ = "submission_row"
    # Rows are read in file order, a slice at a time: (submission_id, row_no) is the key.
    __table_args__ = (UniqueConstraint("submission_id", "row_no"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE")
    )
    row_no: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))  # upsert | retire
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(18))
    # The person's name, for the preview: from the row, or for a retirement from the registry.
    name: Mapped[str | None] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(12))  # create | update | retire | unchanged
    # The normalised record as encrypted JSON: it carries ID numbers.
    record_cipher: Mapped[str] = mapped_column(Text)
    # {"field": [before, after]} with ID numbers masked, and whether the record will be
    # eligible. None for a create: they follow from its record alone, so the preview
    # derives them from the sealed record when shown.
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    eligible_after: Mapped[bool | None] = mapped_column(Boolean)
    ineligible_reason: Mapped[str | None] = mapped_column(String(500))
    # The talent's version when validated; approval refuses if it moved since.
    base_version: Mapped[int | None] = mapped_column(Integer)


class SubmissionError(Base):
    __tablename__ = "submission_error"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    row_no: Mapped[int] = mapped_column(Integer)
    # The row's own line in the city's spreadsheet or CSV file; None for JSON.
    sheet_row: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(String(500))
