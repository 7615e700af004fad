"""Reading the lookup records back: who looked a talent up, and a clerk's own lookups.

Records hold no ID number, only the blind index, so a talent's log is found through the
indexes of the talent and of their registered dependents. A clerk's list shows a masked
number only for lookups that found priority (the answer showed that person then), derived
by decrypting the matching registry entry; for the others it shows none, which keeps
"unknown" and "known without priority" as indistinguishable here as in the answers.
Both read the records and the lookup journal's pending entries together and write
nothing; they look back no further than retention keeps (a bound by time, which lets
PostgreSQL skip the months outside it). Pages follow a cursor, never an offset or a count.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, union_all
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.errors import NotFound
from app.core.keys import get_keyring
from app.core.keyset import Key, Slice, decode_cursor, encode_cursor
from app.core.types import utcnow
from app.lookup.journal import pending_records
from app.lookup.models import RECORDS, LookupRecord
from app.lookup.partitions import add_months, month_of, month_start
from app.lookup.retention import retained_since
from app.lookup.schemas import AccessLogEntry, AccessLogPage, MyLookup, MyLookupsPage
from app.registry.identifiers import mask_id_number
from app.registry.markers import CHINA_STANDARD_TIME
from app.registry.models import Dependent, Talent

# Newest first; the id breaks ties between records of the same instant (the cursor's types).
_NEWEST_FIRST = (
    Key(LookupRecord.occurred_at, descending=True),
    Key(LookupRecord.id, descending=True),
)


def talent_access_log(
    session: Session, caller: Principal, talent_id: uuid.UUID, *, cursor: str | None, limit: int
) -> AccessLogPage:
    talent = session.execute(
        select(Talent.id_hash, Talent.city_code).where(Talent.id == talent_id)
    ).first()
    # Another city's talent is as absent as a talent that does not exist.
    if talent is None or not caller.sees_city(talent.city_code):
        raise NotFound("未找到该人才记录。")
    subject_of: dict[str, str] = {talent.id_hash: "self"}
    for dependent in session.execute(
        select(Dependent.id_hash, Dependent.relation).where(Dependent.talent_id == talent_id)
    ):
        subject_of.setdefault(dependent.id_hash, dependent.relation)
    found = _page(session, "subject_hash", list(subject_of), cursor, limit)
    items = [
        AccessLogEntry(
            lookup_id=row.id,
            occurred_at=row.occurred_at.astimezone(CHINA_STANDARD_TIME),
            caller_kind=row.caller_kind,
            caller_name=row.caller_name,
            service=row.service,
            purpose=row.purpose,
            outcome=row.outcome,
            basis=row.basis,
            subject=subject_of[row.subject_hash],
        )
        for row in found.items
    ]
    return AccessLogPage(items=items, next_cursor=found.next_cursor)


def my_lookups(
    session: Session, caller: Principal, *, cursor: str | None, limit: int
) -> MyLookupsPage:
    found = _page(session, "caller_id", [caller.id], cursor, limit)
    masked = _masked_numbers(
        session, {row.subject_hash for row in found.items if row.outcome == "priority"}
    )
    items = [
        MyLookup(
            lookup_id=row.id,
            occurred_at=row.occurred_at.astimezone(CHINA_STANDARD_TIME),
            service=row.service,
            purpose=row.purpose,
            query_kind=row.query_kind,
            outcome=row.outcome,
            basis=row.basis,
            batch_id=row.batch_id,
            id_number_masked=masked.get(row.subject_hash) if row.outcome == "priority" else None,
        )
        for row in found.items
    ]
    return MyLookupsPage(items=items, next_cursor=found.next_cursor)


def _page(
    session: Session, key: str, values: list[Any], cursor: str | None, limit: int
) -> Slice[Any]:
    """A page of the records and pending entries whose `key` is one of `values`, newest
    first, after `cursor`, with no count. Each value's records are read newest first and no
    further than the page needs; last month and this first, so that on PostgreSQL a page of
    someone looked up lately reads those months' partitions only, and the whole retained
    window only if need be."""
    since = retained_since()
    after = decode_cursor(cursor, _NEWEST_FIRST) if cursor is not None else None
    wanted = limit + 1  # one more than shown: is there a next page?
    recent = month_start(add_months(month_of(utcnow()), -1))
    rows = _newest(session, key, values, max(since, recent), after, wanted)
    if len(rows) < wanted and since < recent:
        rows = _newest(session, key, values, since, after, wanted)
    if len(rows) <= limit:
        return Slice(rows, None)
    last = rows[limit - 1]
    return Slice(rows[:limit], encode_cursor([last.occurred_at, last.id]))


def _newest(
    session: Session,
    key: str,
    values: list[Any],
    since: datetime,
    after: list[Any] | None,
    wanted: int,
) -> list[Any]:
    """The `wanted` newest records and pending entries since `since` for these values,
    older than the cursor's (time, id) when there is one."""
    pending = pending_records(session.get_bind().dialect.name)

    def window(table: Any) -> list[ColumnElement[bool]]:
        bounds = [table.c.occurred_at >= since]
        if after is not None:
            moment, last_id = after
            bounds.append(table.c.occurred_at <= moment)
            bounds.append(
                or_(
                    table.c.occurred_at < moment,
                    and_(table.c.occurred_at == moment, table.c.id < last_id),
                )
            )
        return bounds

    newest = (RECORDS.c.occurred_at.desc(), RECORDS.c.id.desc())
    branches = [
        select(RECORDS)
        .where(RECORDS.c[key] == value, *window(RECORDS))
        .order_by(*newest)
        .limit(wanted)
        .subquery()
        .select()
        for value in values
    ]
    in_journal = select(pending).where(pending.c[key].in_(values), *window(pending))
    both = union_all(*branches, in_journal).subquery()
    ordered = select(both).order_by(both.c.occurred_at.desc(), both.c.id.desc()).limit(wanted)
    return list(session.execute(ordered))


def _masked_numbers(session: Session, hashes: set[str | None]) -> dict[str, str]:
    wanted = [h for h in hashes if h]
    if not wanted:
        return {}
    keyring = get_keyring()
    masked: dict[str, str] = {}
    sources = (
        (Dependent.id_hash, Dependent.id_cipher, "dependent.id_number"),
        (Talent.id_hash, Talent.id_cipher, "talent.id_number"),
    )
    for hash_column, cipher_column, context in sources:
        for row in session.execute(
            select(hash_column, cipher_column).where(hash_column.in_(wanted))
        ):
            masked[row[0]] = mask_id_number(keyring.decrypt(row[1], context=context))
    return masked
