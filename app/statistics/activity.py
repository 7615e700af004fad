"""Figures of what the register is used for: lookups per month by partner, service and
outcome, assistance records by city and state, studio applications and studios.

A city operator sees lookups of their own city's people (holders and their registered
dependents, matched by the blind index); lookups that named nobody in the register belong
to no city and count for the province only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, func, literal_column, select, true, union
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.assistance.models import AssistanceCase
from app.core.types import digest_of_hex
from app.lookup.journal import records_and_pending
from app.lookup.retention import retained_since
from app.registry.models import Dependent, Talent
from app.studios.models import Studio, StudioApplication


@dataclass(frozen=True)
class LookupCount:
    month: str  # YYYY-MM, China time
    caller_name: str
    service: str
    outcome: str
    count: int


def lookups_by_month(session: Session, caller: Principal) -> list[LookupCount]:
    # The records and the journal's pending batches together, none left out, nothing
    # written; as far back as retention keeps (PostgreSQL reads only those months).
    dialect = session.get_bind().dialect.name
    records = records_and_pending(dialect)
    month = _month(session, records.c.occurred_at)
    columns = (month, records.c.caller_name, records.c.service, records.c.outcome)
    rows = session.execute(
        select(*columns)
        .add_columns(func.count())
        # Records without a service are reads of a person (pages, filing checks).
        .where(
            records.c.service.is_not(None),
            records.c.occurred_at >= retained_since(),
            _subjects_seen_by(caller, records.c.subject_hash, dialect),
        )
        .group_by(*columns)
        .order_by(*columns)
    )
    return [LookupCount(*row) for row in rows]


def assistance_by_city(session: Session, caller: Principal) -> dict[str, dict[str, int]]:
    """{city: {"open": n, "closed": n}}."""
    rows = session.execute(
        select(AssistanceCase.city_code, AssistanceCase.status, func.count())
        .where(caller.city_filter(AssistanceCase.city_code))
        .group_by(AssistanceCase.city_code, AssistanceCase.status)
    )
    figures: dict[str, dict[str, int]] = {}
    for city, status, count in rows:
        figures.setdefault(city, {})[status] = count
    return dict(sorted(figures.items()))


def applications_by_status(session: Session, caller: Principal) -> dict[str, int]:
    rows = session.execute(
        select(StudioApplication.status, func.count())
        .where(caller.city_filter(StudioApplication.city_code))
        .group_by(StudioApplication.status)
    )
    return {status: count for status, count in rows}


def studios_by_batch_year(session: Session, caller: Principal) -> dict[int, int]:
    rows = session.execute(
        select(Studio.batch_year, func.count())
        .where(caller.city_filter(Studio.city_code))
        .group_by(Studio.batch_year)
        .order_by(Studio.batch_year)
    )
    return {year: count for year, count in rows}


def _subjects_seen_by(caller: Principal, subject: Any, dialect: str) -> ColumnElement[bool]:
    if caller.city_code is None:
        return true()
    own = union(
        select(digest_of_hex(Talent.id_hash, dialect)).where(Talent.city_code == caller.city_code),
        select(digest_of_hex(Dependent.id_hash, dialect))
        .join(Talent, Dependent.talent_id == Talent.id)
        .where(Talent.city_code == caller.city_code),
    )
    return cast(ColumnElement[bool], subject.in_(own))


def _month(session: Session, column: Any) -> ColumnElement[str]:
    """The China-time month of a UTC timestamp (China keeps no daylight saving)."""
    if session.get_bind().dialect.name == "postgresql":
        local = column.op("AT TIME ZONE")(literal_column("'Asia/Shanghai'"))
        return func.to_char(local, "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")
