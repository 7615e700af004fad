"""Reading the lookup records back: who looked a talent up, and a clerk's own lookups.

Records hold no ID number, only the blind index, so a talent's log is found through the
indexes of the talent and of their registered dependents. A clerk's list shows a masked
number only for lookups that found priority (the answer showed that person then), derived
by decrypting the matching registry entry; for the others it shows none, which keeps
"unknown" and "known without priority" as indistinguishable here as in the answers.
Both read the records and the lookup journal's pending entries together and write
nothing; they look back no further than retention keeps (a bound by time, which lets
PostgreSQL skip the months outside it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.errors import NotFound
from app.core.keys import get_keyring
from app.core.types import utcnow
from app.lookup.journal import pending_records
from app.lookup.models import RECORDS
from app.lookup.partitions import add_months, month_of, month_start
from app.lookup.retention import retained_since
from app.lookup.schemas import AccessLogEntry, AccessLogPage, MyLookup, MyLookupsPage
from app.registry.identifiers import mask_id_number
from app.registry.markers import CHINA_STANDARD_TIME
from app.registry.models import Dependent, Talent


def talent_access_log(
    session: Session, caller: Principal, talent_id: uuid.UUID, *, page: int, page_size: int
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
    total, rows = _page(session, "subject_hash", list(subject_of), page, page_size)
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
        for row in rows
    ]
    return AccessLogPage(items=items, total=total, page=page, page_size=page_size)


def my_lookups(session: Session, caller: Principal, *, page: int, page_size: int) -> MyLookupsPage:
    total, rows = _page(session, "caller_id", [caller.id], page, page_size)
    masked = _masked_numbers(
        session, {row.subject_hash for row in rows if row.outcome == "priority"}
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
        for row in rows
    ]
    return MyLookupsPage(items=items, total=total, page=page, page_size=page_size)


def _page(
    session: Session, key: str, values: list[Any], page: int, page_size: int
) -> tuple[int, list[Any]]:
    """A page of the records and pending entries whose `key` is one of `values`, newest
    first. Each value's records are read newest first and no further than the page needs;
    last month and this first, so that on PostgreSQL a page of someone looked up lately
    reads those months' partitions only, and the whole retained window only if need be."""
    since = retained_since()
    wanted = page * page_size
    recent = month_start(add_months(month_of(utcnow()), -1))
    rows = _newest(session, key, values, max(since, recent), wanted)
    if len(rows) < wanted and since < recent:
        rows = _newest(session, key, values, since, wanted)
    pending = pending_records(session.get_bind().dialect.name)
    counted = union_all(
        select(RECORDS.c.id).where(RECORDS.c[key].in_(values), RECORDS.c.occurred_at >= since),
        select(pending.c.id).where(pending.c[key].in_(values), pending.c.occurred_at >= since),
    ).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    return total, rows[(page - 1) * page_size :]


def _newest(
    session: Session, key: str, values: list[Any], since: datetime, wanted: int
) -> list[Any]:
    """The `wanted` newest records and pending entries since `since` for these values."""
    pending = pending_records(session.get_bind().dialect.name)
    newest = (RECORDS.c.occurred_at.desc(), RECORDS.c.id.desc())
    branches = [
        select(RECORDS)
        .where(RECORDS.c[key] == value, RECORDS.c.occurred_at >= since)
        .order_by(*newest)
        .limit(wanted)
        .subquery()
        .select()
        for value in values
    ]
    in_journal = pending.c[key].in_(values), pending.c.occurred_at >= since
    both = union_all(*branches, select(pending).where(*in_journal)).subquery()
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
