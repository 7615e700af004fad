"""Reading submissions: the list, the error report and the diff preview.

The city wall for lists is here (a city operator's query is limited to their city); for a
single submission it is `deps.valid_submission`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.keyset import Key, Slice, keyset_page
from app.core.paging import Page, paginate
from app.filing.constants import Outcome, SubmissionStatus
from app.filing.models import Submission, SubmissionError, SubmissionRow

_NEWEST_FIRST = (Key(Submission.created_at, descending=True), Key(Submission.id, descending=True))


def list_submissions(
    session: Session,
    caller: Principal,
    *,
    status: SubmissionStatus | None,
    city_code: str | None,
    cursor: str | None,
    limit: int,
    search: str | None = None,
) -> Slice[Submission]:
    """Newest first, after `cursor`; a city operator sees their own city's only."""
    query = _submissions(caller, status=status, city_code=city_code, search=search)
    return keyset_page(session, query, _NEWEST_FIRST, cursor=cursor, limit=limit)


def submission_page(
    session: Session,
    caller: Principal,
    *,
    status: SubmissionStatus | None,
    page: int,
    page_size: int,
    search: str | None = None,
) -> Page[Submission]:
    """A city's own upload history with page numbers, as its officer pages through it: a
    city files a few dozen times a year, so the count stays small."""
    query = _submissions(caller, status=status, city_code=None, search=search)
    newest_first = query.order_by(Submission.created_at.desc(), Submission.id.desc())
    return paginate(session, newest_first, page=page, page_size=page_size)


def _submissions(
    caller: Principal,
    *,
    status: SubmissionStatus | None,
    city_code: str | None,
    search: str | None,
) -> Select[Submission]:
    """`search` matches a period or a part of the file's name."""
    query = select(Submission).where(caller.city_filter(Submission.city_code))
    if search:
        query = query.where(
            or_(
                Submission.period == search.upper(),
                Submission.file_name.contains(search, autoescape=True),
            )
        )
    if city_code is not None:
        query = query.where(Submission.city_code == city_code)
    if status is not None:
        query = query.where(Submission.status == status.value)
    return query


def row_errors(session: Session, submission_id: uuid.UUID) -> Sequence[SubmissionError]:
    """Every error of the file, in row order."""
    return session.scalars(
        select(SubmissionError)
        .where(SubmissionError.submission_id == submission_id)
        .order_by(SubmissionError.row_no, SubmissionError.id)
    ).all()


def preview_rows(
    session: Session,
    submission_id: uuid.UUID,
    *,
    outcome: Outcome | None,
    page: int,
    page_size: int,
) -> Page[SubmissionRow]:
    """The valid rows in file order, with what approving each would do."""
    query = select(SubmissionRow).where(SubmissionRow.submission_id == submission_id)
    if outcome is not None:
        query = query.where(SubmissionRow.outcome == outcome.value)
    return paginate(session, query.order_by(SubmissionRow.row_no), page=page, page_size=page_size)
