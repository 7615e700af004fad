"""Figures of the register for the province's reports: holders of an active marker by
city, honour category, skill level and occupation, every marker by its state today, and
the markers' changes per month. A city operator's figures cover their own city (the city
wall, as in every registry query)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.access.auth import Principal
from app.core.reference import refresh_labels
from app.registry.as_of import WITHDRAWN, marker_changes, timeline
from app.registry.codes import MarkerStatus
from app.registry.markers import SOURCE_ELIGIBILITY, active_on, status_on
from app.registry.models import Honor, Marker, Talent, TalentVersion

# A marker's change, named by the state it entered (`reinstated`: active again after a
# suspension; `granted`: active after no marker, an expiry, a revocation or a withdrawal).
CHANGE_KINDS = ("granted", "reinstated", "suspended", "revoked", "withdrawn", "expired")


@dataclass(frozen=True)
class RegistryFigures:
    holders: int
    by_city: dict[str, int]
    by_category: dict[str, int]
    by_skill_level: dict[str, int]
    by_occupation: dict[str, int]
    by_marker_state: dict[str, int]


def registry_figures(session: Session, caller: Principal, *, today: date) -> RegistryFigures:
    holding = and_(caller.city_filter(Talent.city_code), active_on(today))
    refresh_labels(session.connection(), "categories")  # the tables name the added ones
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
        # Industry is not derivable from the employer's USCC: its first two characters are
        # the registering authority and the kind of organisation, not the trade, and the
        # rest is a region and an organisation code. The occupation is the honest stand-in.
        by_occupation=_count_by(session, Talent.occupation, holding),
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


def marker_changes_by_month(
    session: Session, caller: Principal, *, today: date
) -> dict[str, dict[str, int]]:
    """{"YYYY-MM": {kind: count}} from the records' histories (China time), expiries
    derived on the day after `valid_until` as the as-of status derives them."""
    rows = session.scalars(
        select(TalentVersion)
        .join(Talent, TalentVersion.talent_id == Talent.id)
        .where(caller.city_filter(Talent.city_code))
        .order_by(TalentVersion.talent_id, TalentVersion.version)
    )
    months: dict[str, Counter[str]] = {}
    versions: list[TalentVersion] = []
    for version in rows:
        if versions and versions[-1].talent_id != version.talent_id:
            _count_changes(versions, today, months)
            versions = []
        versions.append(version)
    _count_changes(versions, today, months)
    return {month: dict(months[month]) for month in sorted(months)}


def _count_changes(
    versions: list[TalentVersion], today: date, months: dict[str, Counter[str]]
) -> None:
    before: str | None = None
    for period in timeline(marker_changes(versions), today)[::-1]:
        kind = _change_kind(before, period.state)
        before = period.state
        if kind is not None:
            months.setdefault(period.since.strftime("%Y-%m"), Counter())[kind] += 1


def _change_kind(before: str | None, after: str) -> str | None:
    if after == before:
        return None  # a renewal or an edit that left the state as it was
    if after == MarkerStatus.active:
        return "reinstated" if before == MarkerStatus.suspended else "granted"
    return after
