"""The life of a submission after validation (maker-checker): submit, approve, reject.

validated --submit (the city)--> pending_review --approve (the province)--> applied
                                                \\--reject (the province)--> rejected
validated or invalid --withdraw (the city)--> withdrawn

Every transition is one conditional UPDATE (`... WHERE status = <from>`): of two requests
racing for the same transition, exactly one changes a row and the other gets 409. On
PostgreSQL the loser waits on the winner's row lock, then finds the status moved; SQLite
runs writers one at a time. Approval applies the rows in the same transaction, so a failure
anywhere leaves the submission pending and the registry untouched.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core import audit
from app.core.audit import Actor
from app.core.errors import Conflict
from app.core.types import utcnow
from app.filing.apply import apply_rows, concurrent_change
from app.filing.constants import STATUS_ZH, WITHDRAWABLE, SubmissionStatus
from app.filing.models import Submission

REASON_LENGTH = 500


def submit(session: Session, actor: Actor, submission: Submission) -> Submission:
    """The city sends a validated submission to the province for review."""
    _move(
        session,
        submission,
        SubmissionStatus.validated,
        SubmissionStatus.pending_review,
        "提交审核",
        submitted_at=utcnow(),
    )
    _audit(session, actor, "submission.submit", submission)
    return submission


def approve(session: Session, actor: Actor, submission: Submission, *, today: date) -> Submission:
    """File every row into the registry (markers granted and withdrawn there), or none."""
    _move(
        session,
        submission,
        SubmissionStatus.pending_review,
        SubmissionStatus.applied,
        "审核通过",
        decided_at=utcnow(),
        decided_by=actor.actor_id,
    )
    try:
        apply_rows(session, actor, submission.id, city_code=submission.city_code, today=today)
        _audit(session, actor, "submission.approve", submission, counts=submission.counts)
    except (IntegrityError, StaleDataError) as exc:
        # A record was changed or created by a concurrent transaction (PostgreSQL).
        raise concurrent_change() from exc
    return submission


def reject(session: Session, actor: Actor, submission: Submission, *, reason: str) -> Submission:
    """Send the submission back to the city with the reason; nothing is filed."""
    _move(
        session,
        submission,
        SubmissionStatus.pending_review,
        SubmissionStatus.rejected,
        "退回",
        decided_at=utcnow(),
        decided_by=actor.actor_id,
        reject_reason=reason[:REASON_LENGTH],
    )
    _audit(session, actor, "submission.reject", submission, reason=reason[:REASON_LENGTH])
    return submission


def withdraw(session: Session, actor: Actor, submission: Submission) -> Submission:
    """The city takes back an upload it never submitted (validated or invalid). It stays
    in the city's history as withdrawn, with its audit record; nothing was filed."""
    result = session.execute(
        update(Submission)
        .where(
            Submission.id == submission.id,
            Submission.status.in_([status.value for status in WITHDRAWABLE]),
        )
        .values(
            status=SubmissionStatus.withdrawn.value,
            decided_at=utcnow(),
            decided_by=actor.actor_id,
        )
    )
    session.refresh(submission)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = STATUS_ZH.get(SubmissionStatus(submission.status), submission.status)
        raise Conflict(
            f"该报送当前状态为「{current}」，只有未提交审核的报送可以撤回。",
            code="invalid_transition",
        )
    _audit(session, actor, "submission.withdraw", submission)
    return submission


def _move(
    session: Session,
    submission: Submission,
    source: SubmissionStatus,
    target: SubmissionStatus,
    verb_zh: str,
    **values: Any,
) -> None:
    result = session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == source.value)
        .values(status=target.value, **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(submission)  # the status the winner left, for the message
        current = STATUS_ZH.get(SubmissionStatus(submission.status), submission.status)
        raise Conflict(f"该报送当前状态为「{current}」，不能{verb_zh}。", code="invalid_transition")


def _audit(
    session: Session, actor: Actor, action: str, submission: Submission, **detail: Any
) -> None:
    audit.record(
        session,
        actor,
        action,
        f"submission:{submission.id}",
        {"city_code": submission.city_code, "period": submission.period, **detail},
    )
