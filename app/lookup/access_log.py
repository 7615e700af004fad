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
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, func, select
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.errors import NotFound
from app.core.keys import get_keyring
from app.lookup.journal import records_and_pending
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
    total, rows = _page(session, lambda r: r.c.subject_hash.in_(list(subject_of)), page, page_size)
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
    total, rows = _page(session, lambda r: r.c.caller_id == caller.id, page, page_size)
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
    session: Session,
    where: Callable[[Subquery], ColumnElement[bool]],
    page: int,
    page_size: int,
) -> tuple[int, list[Any]]:
    records = records_and_pending(session.get_bind().dialect.name)
    kept = records.c.occurred_at >= retained_since()
    condition = and_(where(records), kept)
    total = session.scalar(select(func.count()).select_from(records).where(condition)) or 0
    rows = session.execute(
        select(records)
        .where(condition)
        .order_by(records.c.occurred_at.desc(), records.c.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return total, list(rows)


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
