"""The special marker (特殊标识): its code, its lifecycle, and the admin actions on it.

Stored statuses are `active`, `suspended` and `revoked`; `expired` is derived: an active
marker past its `valid_until` (the review date, a configurable number of years after the
latest filing). A filing grants, renews or withdraws the marker through `settle_marker`;
a province admin suspends, reinstates or revokes it with a reason.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import Actor
from app.core.errors import Conflict
from app.core.settings import get_settings
from app.core.types import utcnow
from app.registry.codes import MarkerStatus
from app.registry.history import record_version
from app.registry.models import Marker, Talent

MARKER_PREFIX = "LT-"
# Crockford's base32: no I, L, O, U, so a code read aloud or retyped is not mistaken.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 12  # 60 random bits
# Markers are granted and expire by the calendar of the province, not of the server.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

SOURCE_ELIGIBILITY = "eligibility"
SOURCE_ADMIN = "admin"
_REASON_LENGTH = 300


def new_marker_code() -> str:
    """A random, unguessable code, short enough for a QR code; never derived from the ID."""
    return MARKER_PREFIX + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def local_today(now: datetime | None = None) -> date:
    """Today in China Standard Time, the day markers are granted and expire by."""
    return (now or datetime.now(UTC)).astimezone(CHINA_STANDARD_TIME).date()


def effective_status(marker: Marker, today: date) -> str:
    """active | suspended | revoked | expired (an active marker past its valid_until)."""
    if marker.status == MarkerStatus.active and marker.valid_until < today:
        return MarkerStatus.expired.value
    return marker.status


def review_date(today: date) -> date:
    """`today` plus the review period; 29 February falls back to the 28th."""
    year = today.year + get_settings().marker_review_years
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def settle_marker(
    talent: Talent, *, eligible: bool, withdraw_reason: str, today: date, renew: bool
) -> dict[str, list[Any]]:
    """Grant, renew or withdraw the marker after the record's eligibility was (re)decided.

    Eligible: grant a marker when there is none, give back one that eligibility withdrew
    (an admin's revocation stands), and with `renew` (a filing) move the review date to
    `today` plus the review period. Not eligible: withdraw an active or suspended marker.
    Returns the marker's changes as `field -> [before, after]`.
    """
    marker = talent.marker
    before = _snapshot(marker)
    if eligible:
        if marker is None:
            talent.marker = Marker(
                code=new_marker_code(),
                status=MarkerStatus.active.value,
                granted_on=today,
                valid_until=review_date(today),
                change_source=SOURCE_ELIGIBILITY,
                changed_at=utcnow(),
            )
        elif marker.status == MarkerStatus.revoked and marker.change_source == SOURCE_ELIGIBILITY:
            _set_status(marker, MarkerStatus.active, None, SOURCE_ELIGIBILITY)
            marker.granted_on = today
            marker.valid_until = review_date(today)
        elif renew and marker.status != MarkerStatus.revoked:
            marker.valid_until = review_date(today)
    elif marker is not None and marker.status != MarkerStatus.revoked:
        _set_status(marker, MarkerStatus.revoked, withdraw_reason, SOURCE_ELIGIBILITY)
    return _diff(before, _snapshot(talent.marker))


def suspend_marker(session: Session, actor: Actor, talent: Talent, *, reason: str) -> Marker:
    """active -> suspended: priority stops until reinstated; the review date is kept."""
    marker = _marker_of(talent)
    if marker.status != MarkerStatus.active:
        raise Conflict("只有有效状态的特殊标识可以暂停。", code="marker_not_active")
    return _admin_change(session, actor, talent, marker, MarkerStatus.suspended, reason)


def reinstate_marker(session: Session, actor: Actor, talent: Talent, *, reason: str) -> Marker:
    """suspended (or revoked by an admin) -> active, for a record that is still eligible."""
    marker = _marker_of(talent)
    if marker.status == MarkerStatus.active:
        raise Conflict("该特殊标识已是有效状态。", code="marker_already_active")
    if not talent.eligible:
        raise Conflict(
            "该人员当前不符合高技能领军人才认定条件，不能恢复特殊标识。", code="not_eligible"
        )
    return _admin_change(session, actor, talent, marker, MarkerStatus.active, reason)


def revoke_marker(session: Session, actor: Actor, talent: Talent, *, reason: str) -> Marker:
    """active or suspended -> revoked; only an admin's reinstatement gives it back."""
    marker = _marker_of(talent)
    if marker.status == MarkerStatus.revoked:
        raise Conflict("该特殊标识已被撤销。", code="marker_already_revoked")
    return _admin_change(session, actor, talent, marker, MarkerStatus.revoked, reason)


def _admin_change(
    session: Session,
    actor: Actor,
    talent: Talent,
    marker: Marker,
    status: MarkerStatus,
    reason: str,
) -> Marker:
    before = marker.status
    _set_status(marker, status, reason, SOURCE_ADMIN)
    action = {
        MarkerStatus.suspended: "marker.suspend",
        MarkerStatus.active: "marker.reinstate",
        MarkerStatus.revoked: "marker.revoke",
    }[status]
    record_version(
        session,
        actor,
        talent,
        action=action,
        changes={"marker.status": [before, status.value]},
        reason=reason,
    )
    session.flush()
    audit.record(
        session,
        actor,
        action,
        f"talent:{talent.id}",
        {"marker_code": marker.code, "from": before, "to": status.value, "reason": reason},
    )
    return marker


def _marker_of(talent: Talent) -> Marker:
    if talent.marker is None:
        raise Conflict("该人员没有特殊标识。", code="no_marker")
    return talent.marker


def _set_status(marker: Marker, status: MarkerStatus, reason: str | None, source: str) -> None:
    marker.status = status.value
    marker.reason = reason[:_REASON_LENGTH] if reason else None
    marker.change_source = source
    marker.changed_at = utcnow()


def _snapshot(marker: Marker | None) -> dict[str, Any]:
    if marker is None:
        return {}
    return {
        "marker.code": marker.code,
        "marker.status": marker.status,
        "marker.valid_until": marker.valid_until.isoformat(),
        "marker.reason": marker.reason,
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(after.keys() | before.keys())
        if before.get(key) != after.get(key)
    }
