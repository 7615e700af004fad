"""The special marker (特殊标识): its code, its lifecycle, and the admin actions on it.

Stored statuses are `active`, `suspended` and `revoked`; `expired` is derived: an active
marker past its `valid_until` (the review date, a configurable number of years after the
latest filing). A filing grants, renews or withdraws the marker through `settle_marker`;
a province admin suspends, reinstates or revokes it with a reason.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import Actor
from app.core.errors import Conflict, InvalidInput, field_error
from app.core.reference import codes_of
from app.core.settings import get_settings
from app.core.types import time_ordered_uuid, utcnow
from app.registry.codes import MarkerStatus
from app.registry.diffs import STATUS_FILED
from app.registry.history import record_version
from app.registry.models import Marker, Talent

MARKER_PREFIX = "LT-"
# Crockford's base32: no I, L, O, U, so a code read aloud or retyped is not mistaken.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 12  # 60 random bits
# Markers are granted and expire by the calendar of the province, not of the server.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

MARKER_FIELDS = (
    "id",
    "code",
    "status",
    "granted_on",
    "valid_until",
    "reason",
    "change_source",
    "changed_at",
)
_SHOWN_FIELDS = ("code", "status", "valid_until", "reason")
SOURCE_ELIGIBILITY = "eligibility"
SOURCE_ADMIN = "admin"
_REASON_LENGTH = 300


def new_marker_code() -> str:
    """A random, unguessable code, short enough for a QR code; never derived from the ID."""
    bits = secrets.randbits(5 * _CODE_LENGTH)
    return MARKER_PREFIX + "".join(
        _CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(_CODE_LENGTH)
    )


def local_today(now: datetime | None = None) -> date:
    """Today in China Standard Time, the day markers are granted and expire by."""
    return (now or datetime.now(UTC)).astimezone(CHINA_STANDARD_TIME).date()


def effective_status(marker: Marker, today: date) -> str:
    """active | suspended | revoked | expired (an active marker past its valid_until)."""
    return status_on(marker.status, marker.valid_until, today)


def status_on(stored: str, valid_until: date, today: date) -> str:
    """The expiry rule on bare values, for readers that select columns, not markers."""
    if stored == MarkerStatus.active and valid_until < today:
        return MarkerStatus.expired.value
    return stored


def grants_priority(stored: str | None, valid_until: date | None, today: date) -> bool:
    """The active-marker rule: only an active marker still within its term counts;
    suspended, revoked and expired markers (and no marker at all) give nothing.
    `active_on` is the same rule as SQL."""
    if stored is None or valid_until is None:
        return False
    return stored == MarkerStatus.active and valid_until >= today


def active_on(today: date) -> ColumnElement[bool]:
    """`grants_priority` as a condition on `Marker`, for queries."""
    return and_(Marker.status == MarkerStatus.active.value, Marker.valid_until >= today)


def review_date(today: date) -> date:
    """`today` plus the review period; 29 February falls back to the 28th."""
    year = today.year + get_settings().marker_review_years
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def settle(
    before: Mapping[str, Any] | None,
    *,
    eligible: bool,
    withdraw_reason: str,
    today: date,
    renew: bool,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """The marker's column values after the record's eligibility was (re)decided.

    Eligible: grant a marker when there is none, give back one that eligibility withdrew
    (an admin's revocation stands), and with `renew` (a filing) move the review date to
    `today` plus the review period. Not eligible: withdraw an active or suspended marker.
    `before` and the answer hold the columns in `MARKER_FIELDS`; None means no marker. A
    change is stamped `now` (default: the present moment).
    """
    now = now or utcnow()
    if before is None:
        if not eligible:
            return None
        return {
            "id": time_ordered_uuid(),
            "code": new_marker_code(),
            "status": MarkerStatus.active.value,
            "granted_on": today,
            "valid_until": review_date(today),
            "reason": None,
            "change_source": SOURCE_ELIGIBILITY,
            "changed_at": now,
        }
    after = dict(before)
    status = before["status"]
    if (
        eligible
        and status == MarkerStatus.revoked
        and before["change_source"] == SOURCE_ELIGIBILITY
    ):
        after.update(_status_change(MarkerStatus.active, None, SOURCE_ELIGIBILITY, now))
        after.update(granted_on=today, valid_until=review_date(today))
    elif eligible and renew and status != MarkerStatus.revoked:
        after["valid_until"] = review_date(today)
    elif not eligible and status != MarkerStatus.revoked:
        after.update(_status_change(MarkerStatus.revoked, withdraw_reason, SOURCE_ELIGIBILITY, now))
    return after


def marker_values(marker: Marker | None) -> dict[str, Any] | None:
    return None if marker is None else {name: getattr(marker, name) for name in MARKER_FIELDS}


def marker_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, list[Any]]:
    """The marker's part of a version's changes: `marker.<field> -> [before, after]`."""
    changes: dict[str, list[Any]] = {}
    for name in _SHOWN_FIELDS:
        old = before.get(name) if before else None
        new = after.get(name) if after else None
        if old != new:
            changes[f"marker.{name}"] = [_plain(old), _plain(new)]
    return changes


def settle_marker(
    talent: Talent, *, eligible: bool, withdraw_reason: str, today: date, renew: bool
) -> dict[str, list[Any]]:
    """`settle` applied to a loaded record's marker; returns the marker's changes."""
    before = marker_values(talent.marker)
    after = settle(
        before, eligible=eligible, withdraw_reason=withdraw_reason, today=today, renew=renew
    )
    if after is not None and talent.marker is None:
        talent.marker = Marker(talent_id=talent.id, **after)
    elif after is not None and talent.marker is not None:
        for name, value in after.items():
            if before is None or before[name] != value:
                setattr(talent.marker, name, value)
    return marker_changes(before, after)


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


def revocation_reason(session: Session, exit_reason: str, reason: str) -> str:
    """The stored reason of a revocation: the exit reason's label from the province's list
    (退休、离开一线岗位、违法违纪、死亡、调离本省、其他…), then the admin's words."""
    rows = {r.code: r for r in codes_of(session.connection(), "exit-reasons") if r.active}
    if exit_reason not in rows:
        choices = "、".join(f"{r.name_zh}（{r.code}）" for r in rows.values())
        message = f"退出原因应为本省退出原因清单中的一项：{choices}。"
        raise InvalidInput(
            message, errors=[field_error("exit_reason", "invalid_exit_reason", message)]
        )
    return f"{rows[exit_reason].name_zh}：{reason}"[:300]


def revoke_marker(session: Session, actor: Actor, talent: Talent, *, reason: str) -> Marker:
    """active or suspended -> revoked; only an admin's reinstatement gives it back."""
    marker = _marker_of(talent)
    if marker.status == MarkerStatus.revoked:
        raise Conflict("该特殊标识已被撤销。", code="marker_already_revoked")
    return _admin_change(session, actor, talent, marker, MarkerStatus.revoked, reason)


def grant_marker(
    session: Session, actor: Actor, talent: Talent, *, reason: str, today: date
) -> Marker:
    """A province admin's grant by hand, with the reason: a marker for an eligible record
    that has none, or a new term for one whose term ran out. A suspended or revoked marker
    is reinstated (`reinstate_marker`), not granted again."""
    if talent.status != STATUS_FILED:
        raise Conflict("该人员已退出人才库，不能授予特殊标识。", code="talent_retired")
    if not talent.eligible:
        raise Conflict(
            "该人员当前不符合高技能领军人才认定条件，不能授予特殊标识。", code="not_eligible"
        )
    before = marker_values(talent.marker)
    if talent.marker is None:
        talent.marker = Marker(
            talent_id=talent.id,
            id=time_ordered_uuid(),
            code=new_marker_code(),
            granted_on=today,
            valid_until=review_date(today),
            **_status_change(MarkerStatus.active, reason, SOURCE_ADMIN),
        )
    else:
        state = effective_status(talent.marker, today)
        if state == MarkerStatus.active:
            raise Conflict("该特殊标识已是有效状态。", code="marker_already_active")
        if state != MarkerStatus.expired:
            raise Conflict("该特殊标识已暂停或撤销，请使用“恢复标识”。", code="marker_not_expired")
        talent.marker.granted_on = today
        talent.marker.valid_until = review_date(today)
        _set_status(talent.marker, MarkerStatus.active, reason, SOURCE_ADMIN)
    marker = talent.marker
    changes = marker_changes(before, marker_values(marker))
    record_version(session, actor, talent, action="marker.grant", changes=changes, reason=reason)
    session.flush()
    audit.record(
        session,
        actor,
        "marker.grant",
        f"talent:{talent.id}",
        {"marker_code": marker.code, "valid_until": marker.valid_until, "reason": reason},
    )
    return marker


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
    for name, value in _status_change(status, reason, source).items():
        setattr(marker, name, value)


def _status_change(
    status: MarkerStatus, reason: str | None, source: str, now: datetime | None = None
) -> dict[str, Any]:
    return {
        "status": status.value,
        "reason": reason[:_REASON_LENGTH] if reason else None,
        "change_source": source,
        "changed_at": now or utcnow(),
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
