"""Taking in a city's file: parse, validate every row, judge it against the registry, store.

One call makes one submission in the caller's transaction, in two phases:
- preparing, on a reading session that takes no write lock (`reader`; a read-only
  snapshot on SQLite): the file is parsed, validated and judged a slice at a time
  (`CHUNK_ROWS`: one query loads the slice's people from the registry), and each slice's
  rows and errors are spooled to a temporary file, so memory stays flat however long
  the file;
- writing, in the caller's session: the submission, then one bulk insert per slice from
  the spool. Only this brief part holds SQLite's write lock, so lookups and other writers
  are not held up by a long file's validation (it took 36 s under the lock for one hostile
  sheet).
Parsing blocks: call this from a worker thread.
"""

from __future__ import annotations

import pickle
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import IO, Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core import audit
from app.core.audit import Actor
from app.core.bulk_insert import insert_rows
from app.core.crypto import KeyRing
from app.core.db import Base
from app.core.keys import get_keyring
from app.core.reference import codes_of
from app.core.transactions import Transactions
from app.core.types import utcnow
from app.filing.calendar import current_period
from app.filing.constants import COUNT_KEYS, PERIOD_PATTERN, SubmissionStatus
from app.filing.errors import invalid_field
from app.filing.judging import judge_row
from app.filing.models import Submission, SubmissionError, SubmissionRow
from app.filing.parsers import FileFormatError, parse_upload
from app.filing.parsers import base as parser_limits
from app.filing.parsers.base import too_many_rows
from app.filing.rows import RowResult, check_duplicates, code_words, validate_row
from app.filing.upload import Upload
from app.lookup import reads
from app.registry import service as registry
from app.registry.eligibility import AddedCategories
from app.registry.records import added_categories

CHUNK_ROWS = 1000
# The errors kept for a file's report (past those, the clerk fixes the file and uploads
# again). Its rows are bounded by the parsers (`parsers.base.MAX_ROWS`).
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
    reader: Callable[[], AbstractContextManager[Session]] | None = None,
) -> Intake:
    """Validate `upload` into a new submission of `city_code`, or replay an earlier one.

    The same Idempotency-Key with the same file (by SHA-256) gives back the first
    submission; with another file it is refused (422 `idempotency_key_reused`). The file is
    read and judged in a session from `reader` (default: `session`), and only then written.
    """
    check_period(period, today=today)
    earlier_id, prepared = None, None
    # The reading transaction ends before the writing begins.
    with reader() if reader is not None else nullcontext(session) as reading:
        earlier = None
        if idempotency_key is not None:
            earlier = replayed(reading, city_code, idempotency_key, upload.sha256)
        if earlier is not None:
            earlier_id = earlier.id
        else:
            prepared = _prepare(reading, uuid.uuid4(), city_code, upload, today, progress)
    if prepared is None:
        replay = session.get(Submission, earlier_id)
        assert replay is not None
        return Intake(replay, created=False)
    with prepared.spool:
        return _write(session, actor, upload, prepared, city_code, period, idempotency_key)


def _write(
    session: Session,
    actor: Actor,
    upload: Upload,
    prepared: _Prepared,
    city_code: str,
    period: str,
    idempotency_key: str | None,
) -> Intake:
    submission = Submission(
        id=prepared.submission_id,
        city_code=city_code,
        period=period,
        status=SubmissionStatus.invalid.value,
        file_name=upload.filename,
        file_format=PurePath(upload.filename).suffix.lower().lstrip(".")[:8],
        sha256=upload.sha256,
        size_bytes=upload.size_bytes,
        idempotency_key=idempotency_key,
        counts=prepared.counts,
        ignored_columns=list(prepared.ignored_columns),
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
    prepared.store(session, actor, submission)
    counts = prepared.counts
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


@contextmanager
def reading_session(transactions: Transactions) -> Iterator[Session]:
    """A session for `take_in`'s `reader`: a read-only transaction, no write lock."""
    with transactions(read_only=True) as connection, Session(bind=connection) as reader:
        yield reader


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


@dataclass
class _Prepared:
    """A file read and judged: its counts, and its slices' rows and errors in a spool."""

    submission_id: uuid.UUID
    counts: dict[str, int]
    ignored_columns: tuple[str, ...]
    spool: IO[bytes]

    def store(self, session: Session, actor: Actor, submission: Submission) -> None:
        """Write the spooled slices in `session`: the brief part, under the write lock."""
        self.spool.seek(0)
        while True:
            try:
                rows, errors, other_cities = pickle.load(self.spool)  # noqa: S301 - our own spool
            except EOFError:
                return
            # One bulk insert per slice. (The ORM's would leave out the None values and split
            # the slice into many small batches by which keys remain.)
            insert_rows(session.connection(), _ROW_TABLE, rows)
            insert_rows(session.connection(), _ERROR_TABLE, errors)
            if isinstance(actor, Principal):
                # Another city's records were read to judge these rows. (The command line,
                # run by those who hold the database, has no caller to record.)
                purpose = f"备案校验 {submission.id}"
                reads.record(session.connection(), actor, purpose, "id_number", other_cities)


def _prepare(
    reading: Session,
    submission_id: uuid.UUID,
    city_code: str,
    upload: Upload,
    today: date,
    progress: Progress | None,
) -> _Prepared:
    """Read and judge the file into a spool (the caller closes it)."""
    keyring = get_keyring()
    counts = dict.fromkeys(COUNT_KEYS, 0)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
    try:
        rows = parse_upload(upload.stream, upload.filename)
        connection = reading.connection()
        # The province's lists as they stand: what it added is taken, what it deactivated not.
        words = {kind: _words(connection, kind) for kind in _LISTS}
        results = check_duplicates(
            validate_row(
                raw,
                today=today,
                exit_reasons=words["exit-reasons"],
                categories=words["categories"],
                relations=words["relations"],
            )
            for raw in rows
        )
        categories = added_categories(connection)
        error_room = MAX_STORED_ERRORS
        for chunk in _slices(results, CHUNK_ROWS):
            judged = _judge_slice(
                reading, submission_id, city_code, chunk, counts, keyring, categories
            )
            rows_out, errors, other_cities = judged
            pickle.dump((rows_out, _kept_errors(errors, error_room), other_cities), spool)
            error_room -= len(errors)
            if counts["rows"] > parser_limits.MAX_ROWS:  # JSON records: one a row
                raise too_many_rows()
            if progress is not None:
                progress(len(chunk))
        if not counts["rows"]:
            message = "文件中没有数据行：表头之后至少要有一行人员信息"
            raise invalid_field("file", "empty_file", message)
        return _Prepared(submission_id, counts, tuple(rows.unknown_headers), spool)
    except FileFormatError as exc:
        spool.close()
        raise invalid_field("file", exc.code, exc.message_zh) from exc
    except BaseException:
        spool.close()
        raise


_LISTS = ("exit-reasons", "categories", "relations")


def _words(connection: Connection, kind: str) -> dict[str, str]:
    rows = codes_of(connection, kind)
    return code_words((r.code, r.short_name_zh, r.name_zh) for r in rows if r.active)


_Judged = tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, str]]]


def _judge_slice(
    reading: Session,
    submission_id: uuid.UUID,
    city_code: str,
    chunk: list[RowResult],
    counts: dict[str, int],
    keyring: KeyRing,
    categories: AddedCategories,
) -> _Judged:
    """A slice's rows to insert, its errors, and the other cities' people it read."""
    hashes = {r.row: keyring.blind_index(r.id_number) for r in chunk if r.id_number is not None}
    talents = registry.talents_by_hash(reading, hashes.values())
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    other_cities: list[tuple[str, str]] = []
    for result in chunk:
        id_hash = hashes.get(result.row)
        judgement = judge_row(
            result,
            talents.get(id_hash) if id_hash is not None else None,
            id_hash=id_hash,
            city_code=city_code,
            submission_id=submission_id,
            keyring=keyring,
            categories=categories,
        )
        if judgement.other_city and id_hash is not None:
            other_cities.append((id_hash, reads.OTHER_CITY))
        counts["rows"] += 1
        if judgement.row is None:
            counts["errors"] += 1
            errors.extend(
                {
                    "submission_id": submission_id,
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
    return rows, errors, other_cities


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
