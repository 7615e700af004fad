"""Review lists for dynamic management (动态管理): the records and markers the province
should look at now. Each is a plain query over the registry, behind the caller's city wall.

- `expiring`: active markers whose review date falls within the next 90 days;
- `stale`: records on the register not refiled for more than a year;
- `retiring`: holders of an active marker who reach the statutory retirement age within
  the next 180 days, or already have (`retirement.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.access.auth import Principal
from app.core.crypto import KeyRing
from app.registry.diffs import STATUS_FILED
from app.registry.identifiers import birth_date_of
from app.registry.markers import active_on
from app.registry.models import Marker, Talent
from app.registry.records import TALENT_ID_CONTEXT
from app.registry.retirement import retirement_date

EXPIRING_WITHIN = timedelta(days=90)
STALE_AFTER = timedelta(days=365)
RETIRING_WITHIN = timedelta(days=180)


class ReviewList(StrEnum):
    expiring = "expiring"
    stale = "stale"
    retiring = "retiring"


@dataclass(frozen=True)
class ReviewItem:
    talent_id: uuid.UUID
    name: str
    city_code: str
    marker_code: str | None
    due: date  # the review date, the last filing, or the retirement date


def review_list(
    session: Session, caller: Principal, which: ReviewList, *, today: date, keyring: KeyRing
) -> list[ReviewItem]:
    finders: dict[ReviewList, Callable[[], list[ReviewItem]]] = {
        ReviewList.expiring: lambda: expiring(session, caller, today=today),
        ReviewList.stale: lambda: stale(session, caller, today=today),
        ReviewList.retiring: lambda: retiring(session, caller, today=today, keyring=keyring),
    }
    return finders[which]()


def expiring(session: Session, caller: Principal, *, today: date) -> list[ReviewItem]:
    query = (
        _base(caller, Marker.valid_until)
        .join(Marker, Marker.talent_id == Talent.id)
        .where(active_on(today), Marker.valid_until <= today + EXPIRING_WITHIN)
        .order_by(Marker.valid_until, Talent.id)
    )
    return _items(session, query)


def stale(session: Session, caller: Principal, *, today: date) -> list[ReviewItem]:
    query = (
        _base(caller, Talent.filed_on)
        .outerjoin(Marker, Marker.talent_id == Talent.id)
        .where(Talent.status == STATUS_FILED, Talent.filed_on < today - STALE_AFTER)
        .order_by(Talent.filed_on, Talent.id)
    )
    return _items(session, query)


def retiring(
    session: Session, caller: Principal, *, today: date, keyring: KeyRing
) -> list[ReviewItem]:
    query = (
        select(
            Talent.id,
            Talent.name,
            Talent.city_code,
            Marker.code,
            Talent.gender,
            Talent.id_cipher,
        )
        .join(Marker, Marker.talent_id == Talent.id)
        .where(caller.city_filter(Talent.city_code), Talent.status == STATUS_FILED)
        .where(active_on(today))
    )
    items = []
    for talent_id, name, city_code, code, gender, cipher in session.execute(query):
        born = birth_date_of(keyring.decrypt(cipher, context=TALENT_ID_CONTEXT))
        due = retirement_date(born, gender)
        if due <= today + RETIRING_WITHIN:
            items.append(ReviewItem(talent_id, name, city_code, code, due))
    return sorted(items, key=lambda item: (item.due, item.talent_id))


_Row = Select[uuid.UUID, str, str, str, date]


def _base(caller: Principal, due: InstrumentedAttribute[date]) -> _Row:
    return select(Talent.id, Talent.name, Talent.city_code, Marker.code, due.label("due")).where(
        caller.city_filter(Talent.city_code)
    )


def _items(session: Session, query: _Row) -> list[ReviewItem]:
    return [
        ReviewItem(row.id, row.name, row.city_code, row.code, row.due)
        for row in session.execute(query)
    ]
