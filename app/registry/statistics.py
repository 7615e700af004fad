"""Figures of the register for the province's reports: holders of an active marker by
city, honour category and skill level, and every marker by its state today. A city
operator's figures cover their own city (the city wall, as in every registry query)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.access.auth import Principal
from app.registry.as_of import WITHDRAWN
from app.registry.codes import MarkerStatus
from app.registry.markers import SOURCE_ELIGIBILITY, active_on, status_on
from app.registry.models import Honor, Marker, Talent


@dataclass(frozen=True)
class RegistryFigures:
    holders: int
    by_city: dict[str, int]
    by_category: dict[str, int]
    by_skill_level: dict[str, int]
    by_marker_state: dict[str, int]


def registry_figures(session: Session, caller: Principal, *, today: date) -> RegistryFigures:
    holding = and_(caller.city_filter(Talent.city_code), active_on(today))
    by_category = session.execute(
        select(Honor.category, func.count(func.distinct(Talent.id)))
        .join(Talent, Honor.talent_id == Talent.id)
        .join(Marker, Marker.talent_id == Talent.id)
        .where(holding)
        .group_by(Honor.category)
    )
    by_city = _count_by(session, Talent.city_code, holding)
    return RegistryFigures(
        holders=sum(by_city.values()),
        by_city=by_city,
        by_category={category: count for category, count in by_category},
        by_skill_level=_count_by(session, Talent.skill_level, holding),
        by_marker_state=_marker_states(session, caller, today),
    )


def _count_by(
    session: Session, column: InstrumentedAttribute[str], where: ColumnElement[bool]
) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count())
        .select_from(Talent)
        .join(Marker, Marker.talent_id == Talent.id)
        .where(where)
        .group_by(column)
    )
    return {key: count for key, count in rows}


def _marker_states(session: Session, caller: Principal, today: date) -> dict[str, int]:
    """active | suspended | revoked | expired | withdrawn (revoked by eligibility)."""
    rows = session.execute(
        select(Marker.status, Marker.change_source, Marker.valid_until, func.count())
        .join(Talent, Marker.talent_id == Talent.id)
        .where(caller.city_filter(Talent.city_code))
        .group_by(Marker.status, Marker.change_source, Marker.valid_until)
    )
    states: Counter[str] = Counter()
    for stored, source, valid_until, count in rows:
        withdrawn = stored == MarkerStatus.revoked and source == SOURCE_ELIGIBILITY
        states[WITHDRAWN if withdrawn else status_on(stored, valid_until, today)] += count
    return dict(states)
