"""Taking in a city's file: parse, validate every row, judge it against the registry, store.

One call makes one submission in the caller's transaction. Rows are handled a slice at a
time (`CHUNK_ROWS`): one query loads the slice's people from the registry, one bulk insert
stores its rows and one its errors, and nothing of a slice is kept after it, so memory
stays flat however long the file. Parsing blocks: call this from a worker thread.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core import audit
from app.core.audit import Actor
from app.core.crypto import KeyRing
from app.core.db import Base
from app.core.keys import get_keyring
from app.core.reference import codes_of
from app.core.types import utcnow
from app.filing.calendar import current_period
from app.filing.constants import COUNT_KEYS, PERIOD_PATTERN, SubmissionStatus
from app.filing.errors import invalid_field
from app.filing.judging import judge_row
from app.filing.models import Submission, SubmissionError, SubmissionRow
from app.filing.parsers import FileFormatError, parse_upload
from app.filing.rows import RowResult, check_duplicates, exit_reason_words, validate_row
from app.filing.upload import Upload
from app.lookup import reads
from app.registry import service as registry

CHUNK_ROWS = 1000
# Bounds on what one file may cost: its rows (a city files thousands; the benchmark 100,000)
# and the errors kept for its report (past those, the clerk fixes the file and uploads again).
MAX_ROWS = 200_000
MAX_STORED_ERRORS = 10_000
_ROW_TABLE = Base.metadata.tables[SubmissionRow.__tablename__]
_ERROR_TABLE = Base.metadata.tables[SubmissionError.__tablename__]
# Column widths of `submission_error`: a message quoting a long cell is cut, not refused.
_FIELD_LENGTH, _MESSAGE_LENGTH = 100, 500

Progress = Callable[[int], object]  # told how many more rows are done
T = TypeVar("T")


@dataclass(frozen=True)
class Intake:
    submission: Submission
    created: bool  # False: an earlier submission answered the same Idempotency-Key


def take_in(
    session: Session,
    actor: Actor,
    upload: Upload,
    *,
    city_code: str,
    period: str,
    idempotency_key: str | None,
    today: date,
    progress: Progress | None = None,
) -> Intake:
    """Validate `upload` into a new submission of `city_code`, or replay an earlier one.

    The same Idempotency-Key with the same file (by SHA-256) gives back the first
    submission; with another file it is refused (422 `idempotency_key_reused`).
    """
    check_period(period, today=today)
    if idempotency_key is not None:
        earlier = replayed(session, city_code, idempotency_key, upload.sha256)
        if earlier is not None:
            return Intake(earlier, created=False)
    submission = Submission(
        id=uuid.uuid4(),
        city_code=city_code,
        period=period,
        status=SubmissionStatus.invalid.value,
        file_name=upload.filename,
        file_format=PurePath(upload.filename).suffix.lower().lstrip(".")[:8],
        sha256=upload.sha256,
        size_bytes=upload.size_bytes,
        idempotency_key=idempotency_key,
        counts={},
        ignored_columns=[],
        created_by=actor.actor_id,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(submission)
    except IntegrityError:
        # A concurrent request with the same key got there first (PostgreSQL).
        earlier = replayed(session, city_code, idempotency_key or "", upload.sha256)
        if earlier is None:
            raise
        return Intake(earlier, created=False)
    counts = _validate_rows(session, actor, submission, upload, today=today, progress=progress)
    submission.counts = counts
    if not counts["errors"]:
        submission.status = SubmissionStatus.validated.value
    audit.record(
        session,
        actor,
        "submission.create",
        f"submission:{submission.id}",
        {"city_code": city_code, "period": period, "status": submission.status, "counts": counts},
    )
    return Intake(submission, created=True)


def check_period(period: str, *, today: date) -> None:
    """A quarter `YYYYQn` that has begun on `today` (China time): a later one files nothing
    that has happened yet."""
    if re.fullmatch(PERIOD_PATTERN, period) is None:
        message = "报送期次格式不正确，应为年份加季度，如 2026Q4"
        raise invalid_field("period", "invalid_period", message)
    current = current_period(today)
    if period > current:  # same width, so the strings order as the quarters do
        message = f"报送期次 {period} 尚未开始，只能报送已开始的季度（本季度为 {current}）"
        raise invalid_field("period", "invalid_period", message)


def replayed(session: Session, city_code: str, key: str, sha256: str) -> Submission | None:
    """The submission an Idempotency-Key already made, if the file is the same one."""
    earlier = session.scalar(
        select(Submission).where(
            Submission.city_code == city_code, Submission.idempotency_key == key
        )
    )
    if earlier is not None and earlier.sha256 != sha256:
        message = "该 Idempotency-Key 已用于另一个文件；上传新文件请使用新的 Idempotency-Key"
        raise invalid_field("Idempotency-Key", "idempotency_key_reused", message)
    return earlier


def _validate_rows(
    session: Session,
    actor: Actor,
    submission: Submission,
    upload: Upload,
    *,
    today: date,
    progress: Progress | None,
) -> dict[str, int]:
    keyring = get_keyring()
    counts = dict.fromkeys(COUNT_KEYS, 0)
    try:
        rows = parse_upload(upload.stream, upload.filename)
        submission.ignored_columns = list(rows.unknown_headers)
        reasons = codes_of(session.connection(), "exit-reasons")
        exit_reasons = exit_reason_words((r.code, r.name_zh) for r in reasons if r.active)
        results = check_duplicates(
            validate_row(raw, today=today, exit_reasons=exit_reasons) for raw in rows
        )
        error_room = MAX_STORED_ERRORS
        for chunk in _slices(results, CHUNK_ROWS):
            error_room -= _store_slice(
                session, actor, submission, chunk, counts, keyring, error_room
            )
            if counts["rows"] > MAX_ROWS:
                message = f"文件超过 {MAX_ROWS} 行，请拆分为多个文件后分别上传"
                raise invalid_field("file", "too_many_rows", message)
            if progress is not None:
                progress(len(chunk))
    except FileFormatError as exc:
        raise invalid_field("file", exc.code, exc.message_zh) from exc
    if not counts["rows"]:
        message = "文件中没有数据行：表头之后至少要有一行人员信息"
        raise invalid_field("file", "empty_file", message)
    return counts


def _store_slice(
    session: Session,
    actor: Actor,
    submission: Submission,
    chunk: list[RowResult],
    counts: dict[str, int],
    keyring: KeyRing,
    error_room: int,
) -> int:
    """Judge and store a slice; returns how many errors it had (at most `error_room` kept)."""
    hashes = {r.row: keyring.blind_index(r.id_number) for r in chunk if r.id_number is not None}
    talents = registry.talents_by_hash(session, hashes.values())
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    other_cities: list[tuple[str, str]] = []
    for result in chunk:
        id_hash = hashes.get(result.row)
        judgement = judge_row(
            result,
            talents.get(id_hash) if id_hash is not None else None,
            id_hash=id_hash,
            city_code=submission.city_code,
            submission_id=submission.id,
            keyring=keyring,
        )
        if judgement.other_city and id_hash is not None:
            other_cities.append((id_hash, reads.OTHER_CITY))
        counts["rows"] += 1
        if judgement.row is None:
            counts["errors"] += 1
            errors.extend(
                {
                    "submission_id": submission.id,
                    "row_no": error.row,
                    "sheet_row": result.sheet_row,
                    "field": error.field[:_FIELD_LENGTH],
                    "code": error.code,
                    "message": error.message[:_MESSAGE_LENGTH],
                }
                for error in judgement.errors
            )
        else:
            assert judgement.outcome is not None
            counts[judgement.outcome] += 1
            rows.append(judgement.row)
    # Core inserts: one executemany per slice. The ORM's bulk insert would leave out the
    # None values and split the slice into many small batches by which keys remain.
    if rows:
        session.execute(insert(_ROW_TABLE), rows)
    if kept := _kept_errors(errors, error_room):
        session.execute(insert(_ERROR_TABLE), kept)
    if isinstance(actor, Principal):
        # Another city's records were read to judge these rows. (The command line, run by
        # those who hold the database, has no caller to record.)
        purpose = f"备案校验 {submission.id}"
        reads.record(session.connection(), actor, purpose, "id_number", other_cities)
    return len(errors)


def _kept_errors(errors: list[dict[str, Any]], room: int) -> list[dict[str, Any]]:
    """The errors that fit; where they stop, one entry saying the rest are not listed."""
    if len(errors) <= room:
        return errors
    if room < 0:
        return []
    message = f"错误超过 {MAX_STORED_ERRORS} 条，其后的错误不再列出；请先改正以上错误后重新上传"
    cut = {**errors[room], "field": "file", "code": "too_many_errors", "message": message}
    return [*errors[:room], cut]


def _slices(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
