"""A marker's state on a past day, rebuilt from the record's history (for disputes: "did X
have priority on D?").

Every grant, renewal, withdrawal and admin action is a TalentVersion whose `changes` hold
`marker.code`, `marker.status` and `marker.valid_until`; replaying them in order gives the
marker as stored after each change. Expiry is never stored, so it is derived the way the
lookup derives it (`markers.status_on`). A revocation made by anything but an admin's marker
action (a filing, a retirement, an edit that made the record ineligible) is `withdrawn`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.registry.codes import MarkerStatus
from app.registry.markers import CHINA_STANDARD_TIME, status_on
from app.registry.models import TalentVersion

WITHDRAWN = "withdrawn"
EXPIRED = MarkerStatus.expired.value
_ADMIN_ACTION_PREFIX = "marker."


@dataclass(frozen=True)
class MarkerChange:
    """The marker as stored after one change of the record's history."""

    day: date  # China time
    occurred_at: datetime
    code: str
    stored: str
    valid_until: date
    withdrawn: bool
    action: str
    reason: str | None

    def state_on(self, day: date) -> str:
        """active | suspended | revoked | expired | withdrawn at the end of `day`."""
        return WITHDRAWN if self.withdrawn else status_on(self.stored, self.valid_until, day)


@dataclass(frozen=True)
class MarkerState:
    code: str
    state: str


@dataclass(frozen=True)
class Period:
    """One stretch of the timeline: the marker's state from `since` (a day) on."""

    since: date
    code: str
    state: str
    valid_until: date
    action: str
    reason: str | None


def marker_changes(versions: Iterable[TalentVersion]) -> list[MarkerChange]:
    """The marker after each version that touched it, oldest first."""
    changes: list[MarkerChange] = []
    code: str | None = None
    stored: str | None = None
    valid_until: date | None = None
    for version in sorted(versions, key=lambda v: v.version):
        diff = version.changes or {}
        if not any(key.startswith("marker.") for key in diff):
            continue
        code = _after(diff, "marker.code", code)
        stored = _after(diff, "marker.status", stored)
        until = _after(diff, "marker.valid_until", None)
        valid_until = date.fromisoformat(until) if until else valid_until
        if code is None or stored is None or valid_until is None:
            continue
        withdrawn = stored == MarkerStatus.revoked and not version.action.startswith(
            _ADMIN_ACTION_PREFIX
        )
        changes.append(
            MarkerChange(
                day=version.occurred_at.astimezone(CHINA_STANDARD_TIME).date(),
                occurred_at=version.occurred_at,
                code=code,
                stored=stored,
                valid_until=valid_until,
                withdrawn=withdrawn,
                action=version.action,
                reason=version.reason or diff.get("marker.reason", [None, None])[1],
            )
        )
    return changes


def marker_on(changes: list[MarkerChange], day: date) -> MarkerState | None:
    """The marker at the end of `day`, or None when it had not been granted yet."""
    latest = [change for change in changes if change.day <= day]
    if not latest:
        return None
    change = latest[-1]
    return MarkerState(code=change.code, state=change.state_on(day))


def services_on(marker: MarkerState | None, services: Iterable[str]) -> dict[str, bool]:
    """The holder's own priorities: every service while the marker is active, else none."""
    active = marker is not None and marker.state == MarkerStatus.active
    return dict.fromkeys(services, active)


def timeline(changes: list[MarkerChange], today: date) -> list[Period]:
    """The marker's states up to `today`, newest first, each derived expiry shown as a
    period of its own (from the day after `valid_until`)."""
    periods: list[Period] = []
    for i, change in enumerate(changes):
        next_day = changes[i + 1].day if i + 1 < len(changes) else today + timedelta(days=1)
        state = change.state_on(change.day)
        periods.append(
            Period(change.day, change.code, state, change.valid_until, change.action, change.reason)
        )
        expiry = change.valid_until + timedelta(days=1)
        if state == MarkerStatus.active and expiry < next_day:
            periods.append(Period(expiry, change.code, EXPIRED, change.valid_until, "expiry", None))
    return periods[::-1]


def _after(diff: dict[str, list[object]], key: str, default: str | None) -> str | None:
    if key not in diff:
        return default
    value = diff[key][1]
    return None if value is None else str(value)
