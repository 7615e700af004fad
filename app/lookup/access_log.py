"""Reading the lookup records back: who looked a talent up, and a clerk's own lookups.

Records hold no ID number, only the blind index, so a talent's log is found through the
indexes of the talent and of their registered dependents. A clerk's list shows a masked
number only for lookups that found priority (the answer showed that person then), derived
by decrypting the matching registry entry; for the others it shows none, which keeps
"unknown" and "known without priority" as indistinguishable here as in the answers.
Batches still in the lookup journal are expanded into records before anything is read.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.errors import NotFound
from app.core.keys import get_keyring
from app.core.keyset import Key, Slice, keyset_page
from app.lookup.journal import expand_pending
from app.lookup.models import LookupRecord
from app.lookup.schemas import AccessLogEntry, AccessLogPage, MyLookup, MyLookupsPage
from app.registry.identifiers import mask_id_number
from app.registry.markers import CHINA_STANDARD_TIME
from app.registry.models import Dependent, Talent

# Newest first; the id breaks ties between records of the same instant.
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
    where = LookupRecord.subject_hash.in_(list(subject_of))
    found = _page(session, where, cursor, limit)
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
    found = _page(session, LookupRecord.caller_id == caller.id, cursor, limit)
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
    session: Session, where: ColumnElement[bool], cursor: str | None, limit: int
) -> Slice[Any]:
    expand_pending(session.connection())
    query = select(LookupRecord).where(where)
    return keyset_page(session, query, _NEWEST_FIRST, cursor=cursor, limit=limit)


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
