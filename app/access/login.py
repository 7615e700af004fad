"""Logging in with a username and password: rate limits, lock-out, audit.

A failure must leave its trace (the failure count, the audit event), so `authenticate`
returns the outcome instead of raising: the caller answers the refusal and lets the
transaction commit. Every failure looks and takes the same whether or not the username
exists: the password is checked against a dummy hash and the username is counted and
locked all the same.

Failures are counted, and names locked, per username AND client address: five bad
passwords from a stranger lock that name for the stranger's address only, never for the
owner logging in from elsewhere. Many addresses guessing at one name are slowed by the
per-address limits, not by locking the name for everyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Form
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.access import passwords, ratelimit, rules
from app.access.models import LoginThrottle, User
from app.access.service import IssuedToken, issue_token
from app.core import audit
from app.core.audit import NamedActor
from app.core.settings import get_settings
from app.core.text_fields import CHECK_PLAIN
from app.core.types import utcnow

_USERNAME_COLUMN_LENGTH = 64
_ADDRESS_COLUMN_LENGTH = 64
# Longer input is refused before any hashing, whoever asks (the API's token endpoint, the pages).
_PASSWORD_MAX_LENGTH = 256
_ANONYMOUS = NamedActor(actor_id="anonymous", actor_role="anonymous")

LoginUsername = Annotated[str, Form(max_length=_USERNAME_COLUMN_LENGTH), CHECK_PLAIN]
LoginPassword = Annotated[str, Form(max_length=_PASSWORD_MAX_LENGTH)]


class TokenRequest(BaseModel):
    """The token endpoint's form fields (OAuth2 password grant)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "clerk.hefei",
                    "password": "Lanka-2026-Hefei",
                    "grant_type": "password",
                }
            ]
        }
    )

    username: Annotated[str, Field(max_length=_USERNAME_COLUMN_LENGTH), CHECK_PLAIN]
    password: Annotated[str, Field(max_length=_PASSWORD_MAX_LENGTH)]
    grant_type: Annotated[
        str | None, Field(pattern="^password$", description="OAuth2 clients send `password`")
    ] = None


@dataclass(frozen=True)
class Refusal:
    """How a refused login is answered: a stable code, a Chinese message, when to retry."""

    code: str
    detail: str
    retry_after: int | None = None


@dataclass(frozen=True)
class LoginOutcome:
    """Either a token, or a refusal (with the end of the lock when the name is locked)."""

    token: IssuedToken | None = None
    user: User | None = None
    locked_until: datetime | None = None

    def refusal(self, now: datetime | None = None) -> Refusal:
        if self.locked_until is None:
            return Refusal("invalid_credentials", "用户名或密码错误。")
        seconds = max(1, math.ceil((self.locked_until - (now or utcnow())).total_seconds()))
        minutes = math.ceil(seconds / 60)
        message = f"登录失败次数过多，该用户名已暂时锁定，请 {minutes} 分钟后再试。"
        return Refusal("login_locked", message, retry_after=seconds)


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    client_address: str,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a login. Raises `TooManyRequests` over the rate limits; else an outcome."""
    settings = get_settings()
    now = now or utcnow()
    username = username.strip()[:_USERNAME_COLUMN_LENGTH]
    address = client_address[:_ADDRESS_COLUMN_LENGTH]
    ratelimit.hit_or_raise(f"login:user:{username.lower()}:{address}", settings.rate_limit_login)
    ratelimit.hit_or_raise(f"login:address:{address}", settings.rate_limit_login)

    locked_until = session.scalar(
        select(LoginThrottle.locked_until).where(
            LoginThrottle.username == username, LoginThrottle.address == address
        )
    )
    locked = locked_until is not None and locked_until > now
    user = session.scalar(select(User).where(User.username == username))
    password_ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is not None and password_ok and user.is_active and not locked:
        return _succeed(session, user, address, now)

    reason = _failure_reason(user, password_ok, locked)
    if not locked:
        locked_until = _count_failure(session, username, address, now)
        locked = locked_until is not None
    audit.record(
        session,
        _ANONYMOUS,
        "auth.login_failed",
        # Whatever was typed as a username is written only when it could be one.
        f"user:{username}" if rules.is_plausible_username(username) else "user:?",
        {"reason": reason, "locked": locked, "address": address},
    )
    return LoginOutcome(locked_until=locked_until if locked else None)


def _succeed(session: Session, user: User, client_address: str, now: datetime) -> LoginOutcome:
    # The owner's success clears the count from this address only: it must not unlock
    # the name for a stranger who is guessing from another.
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == user.username, LoginThrottle.address == client_address)
        .values(failures=0, locked_until=None)
    )
    token = issue_token(session, user)
    actor = NamedActor(actor_id=f"user:{user.username}", actor_role=user.role)
    audit.record(session, actor, "auth.login", f"user:{user.username}", {"address": client_address})
    return LoginOutcome(token=token, user=user)


def _count_failure(session: Session, username: str, address: str, now: datetime) -> datetime | None:
    """Add one failure (atomically, as workers race); lock the name, for this address, at
    the limit."""
    settings = get_settings()
    lockout = timedelta(minutes=settings.login_lockout_minutes)
    # A failure older than the lock-out period no longer counts towards the next lock.
    failures = case(
        (LoginThrottle.last_failure_at < now - lockout, 1), else_=LoginThrottle.failures + 1
    )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(LoginThrottle)
        .values(username=username, address=address, failures=1, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.username, LoginThrottle.address],
            set_={"failures": failures, "last_failure_at": now},
        )
        .returning(LoginThrottle.failures)
    )
    count = session.execute(statement).scalar_one()
    if count < settings.login_max_failures:
        return None
    locked_until = now + lockout
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == username, LoginThrottle.address == address)
        .values(failures=0, locked_until=locked_until)
    )
    return locked_until


def forget_spent_throttles(session: Session, *, now: datetime) -> int:
    """Delete the failure counts that no longer matter: no lock in force and the last
    failure older than the lock-out period (the next failure would count from 1 anyway).
    Without this the table keeps one row for every name anyone ever tried."""
    lockout = timedelta(minutes=get_settings().login_lockout_minutes)
    spent = session.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
            or_(
                LoginThrottle.last_failure_at.is_(None),
                LoginThrottle.last_failure_at < now - lockout,
            ),
        )
    )
    count: int = spent.rowcount  # type: ignore[attr-defined]
    return count


def _failure_reason(user: User | None, password_ok: bool, locked: bool) -> str:
    if locked:
        return "locked"
    if user is None:
        return "unknown_user"
    if not password_ok:
        return "wrong_password"
    return "disabled"
