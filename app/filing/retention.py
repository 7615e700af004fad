"""How long an uploaded file's rows are kept.

A submission keeps its rows (each an encrypted copy of a person's record) while it is open
(validated or waiting for review) and for `BLUECARD_UPLOAD_ROW_RETENTION_DAYS` after it
closed (approved or rejected; an invalid file closes when uploaded, as it can go no
further). Then the rows go: the submission keeps its counts, SHA-256 and row errors, the
registry keeps what was applied, and key rotation has no copies left to re-encrypt.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import SYSTEM
from app.filing.constants import SubmissionStatus
from app.filing.models import Submission, SubmissionRow

PURGE_CHUNK = 5000
_DECIDED = (SubmissionStatus.applied.value, SubmissionStatus.rejected.value)


def rows_kept_until(submission: Submission, days: int) -> datetime | None:
    """When the submission's rows go; None while it is open."""
    if submission.status in _DECIDED:
        return (submission.decided_at or submission.created_at) + timedelta(days=days)
    if submission.status == SubmissionStatus.invalid:
        return submission.created_at + timedelta(days=days)
    return None


def expired_submissions(session: Session, *, now: datetime, days: int) -> Sequence[uuid.UUID]:
    """Closed submissions past the retention time that still hold rows."""
    cutoff = now - timedelta(days=days)
    closed_before = or_(
        and_(Submission.status.in_(_DECIDED), Submission.decided_at < cutoff),
        and_(Submission.status == SubmissionStatus.invalid.value, Submission.created_at < cutoff),
    )
    holds_rows = exists().where(SubmissionRow.submission_id == Submission.id)
    return session.scalars(select(Submission.id).where(closed_before, holds_rows)).all()


def purge_rows(session: Session, submission_id: uuid.UUID, *, chunk: int = PURGE_CHUNK) -> int:
    """Delete up to `chunk` rows of an expired submission, in file order; 0 when none are
    left. A short transaction per chunk keeps other writers' waits short on SQLite."""
    first = (
        select(SubmissionRow.row_no)
        .where(SubmissionRow.submission_id == submission_id)
        .order_by(SubmissionRow.row_no)
        .limit(chunk)
    )
    deleted = session.execute(
        delete(SubmissionRow).where(
            SubmissionRow.submission_id == submission_id, SubmissionRow.row_no.in_(first)
        )
    )
    count: int = deleted.rowcount  # type: ignore[attr-defined]
    return count


def record_purge(session: Session, submission_id: uuid.UUID, rows: int) -> None:
    audit.record(
        session, SYSTEM, "submission.rows_purged", f"submission:{submission_id}", {"rows": rows}
    )
