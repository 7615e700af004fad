"""Applying an approved submission to the registry: every row, or none.

Runs inside the approval's transaction, after its status flip. The registry is the only
writer of records, markers and versions: this module feeds it a slice of rows at a time,
with the slice's people loaded in one query; the registry plans each row as the preview did
(`plans.plan_filing`) and carries the plan out (`file_planned`); the slice's queued rows are
written and the session flushed once per slice. Any failure raises, and the caller's
rollback undoes every row and the flip.

Rows carry the version each person's record had at validation. If any record moved since
(edited, filed by another submission, or created when the row expected to create it), the
preview the province reviewed is no longer what would happen, so approval is refused with
the rows named, and the city validates the file again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.core.audit import Actor
from app.core.db import roomy_page_cache
from app.core.errors import Conflict
from app.core.keys import get_keyring
from app.filing.models import SubmissionRow
from app.filing.rows import registry_form
from app.filing.sealed import unseal
from app.registry import service as registry
from app.registry.models import Talent
from app.registry.pending import PendingWrites
from app.registry.plans import plan_filing
from app.registry.records import added_categories

CHUNK_ROWS = 1000
NAMED_ROWS = 20  # rows a conflict names in its message; `rows` in the answer lists up to 100
_LISTED_ROWS = 100

_ROW_COLUMNS = (
    SubmissionRow.row_no,
    SubmissionRow.outcome,
    SubmissionRow.id_hash,
    SubmissionRow.id_masked,
    SubmissionRow.record_cipher,
    SubmissionRow.base_version,
)


def apply_rows(
    session: Session, actor: Actor, submission_id: uuid.UUID, *, city_code: str, today: date
) -> None:
    """File every row of the submission into the registry, or raise (409 registry_changed)."""
    moved = session.execute(_moved_rows(submission_id).limit(_LISTED_ROWS)).all()
    if moved:
        raise registry_changed([(row.row_no, row.id_masked) for row in moved])
    keyring = get_keyring()
    categories = added_categories(session.connection())
    queue = PendingWrites()
    with roomy_page_cache(session.connection()):
        for chunk in _slices(session, submission_id):
            talents = _expected_talents(session, chunk)
            for row in chunk:
                plan = plan_filing(
                    talents.get(row.id_hash),
                    registry_form(unseal(row.record_cipher, keyring)),
                    city_code=city_code,
                    keyring=keyring,
                    categories=categories,
                )
                registry.file_planned(
                    session,
                    queue,
                    actor,
                    plan,
                    city_code=city_code,
                    submission_id=submission_id,
                    today=today,
                )
            # The slice goes out before the next is read.
            queue.write(session)
            session.flush()


def concurrent_change() -> Conflict:
    """409 for a record changed or created by a concurrent transaction while applying."""
    detail = "审核期间登记库中的记录被同时修改，本次备案未生效，请重新校验后再报送。"
    return Conflict(detail, code="registry_changed", extra={"rows": []})


def registry_changed(rows: Sequence[tuple[int, str]]) -> Conflict:
    """409 naming the rows whose people changed in the registry since validation."""
    named = "、".join(f"第{row}行（{masked}）" for row, masked in rows[:NAMED_ROWS])
    more = "等" if len(rows) > NAMED_ROWS else ""
    detail = (
        f"自校验以来，登记库中以下人员的记录已发生变化：{named}{more}。"
        "请市级经办人重新上传文件校验后再报送。"
    )
    listed = [{"row": row, "id_number_masked": masked} for row, masked in rows[:_LISTED_ROWS]]
    return Conflict(detail, code="registry_changed", extra={"rows": listed})


def _moved_rows(submission_id: uuid.UUID) -> Select[int, str]:
    """Rows whose person's record is not at the version validation saw (one query)."""
    row, talent = SubmissionRow, Talent
    return (
        select(row.row_no, row.id_masked)
        .outerjoin(talent, talent.id_hash == row.id_hash)
        .where(
            row.submission_id == submission_id,
            or_(
                and_(row.base_version.is_(None), talent.id.is_not(None)),
                and_(
                    row.base_version.is_not(None),
                    or_(talent.id.is_(None), talent.version != row.base_version),
                ),
            ),
        )
        .order_by(row.row_no)
    )


def _expected_talents(session: Session, chunk: Sequence[Any]) -> dict[str, Talent]:
    """The records of the slice's people that its rows expect on the register.

    Creates (the bulk of a first filing) need no query: a person created meanwhile fails
    the insert (409). The others are checked again: between the check of every row and
    this load, a concurrent commit may have moved a record.
    """
    expected = [row for row in chunk if row.base_version is not None]
    if not expected:
        return {}
    talents = registry.talents_by_hash(session, [row.id_hash for row in expected])
    late = [
        (row.row_no, row.id_masked)
        for row in expected
        if (talent := talents.get(row.id_hash)) is None or talent.version != row.base_version
    ]
    if late:
        raise registry_changed(late)
    return talents


def _slices(session: Session, submission_id: uuid.UUID) -> Iterator[Sequence[Any]]:
    """The rows in file order, a slice of row numbers at a time.

    By range, not by `LIMIT`: a submission's rows are not yet in PostgreSQL's statistics
    when it is approved, and planned for a handful of rows, `row_no > n ... LIMIT` scanned
    and sorted every later row for each slice (65 ms a slice, mid-way through 100,000).
    """
    row = SubmissionRow
    mine = row.submission_id == submission_id
    last = session.scalar(select(func.max(row.row_no)).where(mine)) or 0
    for start in range(0, last, CHUNK_ROWS):
        in_slice = and_(mine, row.row_no > start, row.row_no <= start + CHUNK_ROWS)
        chunk = session.execute(select(*_ROW_COLUMNS).where(in_slice).order_by(row.row_no)).all()
        if chunk:
            yield chunk
