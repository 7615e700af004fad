"""Reading a person: the one way every page, search and check shows or tests a person by
ID number or talent id (the priority lookup itself is `service`).

Each read applies the caller's wall (a city operator, or a clerk at a city's window, sees
only their city's records), then what the caller may be told: only those who administer
the registry (the province, auditors, a city operator for their own city) see records
whatever their marker; anyone else is shown a person only while they hold an active
marker, so "unknown", "filed without a marker" and "suspended, revoked or expired" all get
the same answer. Every read is recorded beside the lookups (no service; its purpose says
why, its outcome what was shown), so it appears in the person's access log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.access.codes import Role
from app.core.errors import NotFound
from app.core.keys import get_keyring
from app.core.types import utcnow
from app.lookup.ids import uuid7
from app.lookup.models import RECORDS
from app.registry.markers import grants_priority
from app.registry.models import Talent

SHOWN, NOT_FOUND, OTHER_CITY = "shown", "not_found", "other_city"
DETAIL_PURPOSE = "人才记录查阅"
# What a caller who does not administer the registry is told about anyone not shown.
NOT_FOUND_MESSAGE = "未找到持有有效标识的人员。"


def find_by_id_number(
    session: Session, caller: Principal, id_number: str, *, purpose: str, today: date
) -> Talent | None:
    """The person with this (checked) ID number, if the caller may be shown them."""
    id_hash = get_keyring().blind_index(id_number)
    talent = session.scalar(select(Talent).where(Talent.id_hash == id_hash))
    visible = talent if _may_see(caller, talent, today) else None
    outcome = NOT_FOUND if visible is None else SHOWN
    record(session.connection(), caller, purpose, "id_number", [(id_hash, outcome)])
    return visible


def talent_by_id(
    session: Session,
    caller: Principal,
    talent_id: uuid.UUID,
    *,
    purpose: str,
    today: date,
    message: str = "未找到该人才记录。",
) -> Talent:
    """The talent, recorded as shown; or 404 (`message`, or for those who may not tell a
    record without an active marker from no record, the answer for anyone unknown), which
    shows nothing and, like every refusal, stores nothing."""
    talent = session.get(Talent, talent_id)
    if talent is None or not _may_see(caller, talent, today):
        raise NotFound(message if administers(caller) else NOT_FOUND_MESSAGE)
    return shown(session, caller, talent, purpose=purpose)


def shown(session: Session, caller: Principal, talent: Talent, *, purpose: str) -> Talent:
    """A record that a loader walled (`registry.deps.valid_talent`) is shown: recorded."""
    record(session.connection(), caller, purpose, "talent_id", [(talent.id_hash, SHOWN)])
    return talent


def administers(caller: Principal) -> bool:
    """Roles that administer the registry (a city operator within its city wall)."""
    return caller.role in (Role.province_admin, Role.auditor, Role.city_operator)


def record(
    connection: Connection,
    caller: Principal,
    purpose: str,
    query_kind: str,
    reads: Iterable[tuple[str, str]],
    *,
    now: datetime | None = None,
) -> None:
    """Record reads of people, each a (blind index, what was shown)."""
    now = now or utcnow()
    rows = [
        {
            "id": uuid7(now),
            "occurred_at": now,
            "caller_kind": caller.kind,
            "caller_id": caller.id,
            "caller_name": caller.name,
            "service": None,
            "purpose": purpose[:200],
            "query_kind": query_kind,
            "subject_hash": subject_hash,
            "outcome": outcome,
            "basis": None,
        }
        for subject_hash, outcome in reads
    ]
    if rows:
        connection.execute(insert(RECORDS), rows)


def _may_see(caller: Principal, talent: Talent | None, today: date) -> bool:
    if talent is None or not caller.sees_city(talent.city_code):
        return False
    if administers(caller):
        return True
    marker = talent.marker
    return marker is not None and grants_priority(marker.status, marker.valid_until, today)
