"""People and their session tokens. Services flush; the caller commits.

Partner systems and their keys are in `partners.py`; logging in (lock-out, failures) in
`login.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.access import credentials, passwords, rules
from app.access.codes import Role
from app.access.models import AuthToken, LoginThrottle, User
from app.access.partners import create_partner, issue_api_key
from app.core import audit
from app.core.audit import Actor
from app.core.errors import Conflict, NotFound
from app.core.paging import Page, paginate
from app.core.settings import get_settings
from app.core.types import utcnow

# Partners live in their own module; these two are named here too for existing callers.
__all__ = [
    "IssuedToken",
    "create_partner",
    "create_user",
    "issue_api_key",
    "issue_token",
]


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: str,
    city_code: str | None = None,
    display_name: str = "",
) -> User:
    rules.check_username(username)
    city_code = rules.check_role_city(role, city_code)
    rules.check_password(password, username=username)
    display_name = rules.check_text("display_name", display_name, max_length=100)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("用户名已存在。", code="username_taken")
    user = User(
        username=username,
        password_hash=passwords.hash_password(password),
        role=role,
        city_code=city_code,
        display_name=display_name or username,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", f"user:{username}", {"role": role, "city_code": city_code}
    )
    return user


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在。")
    return user


def get_user_by_username(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("用户不存在。")
    return user


def display_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Each known account's display name, or its login name when it has none."""
    wanted = set(usernames)
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted))
    ).all()
    return {username: display or username for username, display in rows}


def list_users(
    session: Session,
    *,
    page: int = 1,
    page_size: int = 20,
    role: str | None = None,
    city_code: str | None = None,
    is_active: bool | None = None,
) -> Page[User]:
    query = select(User)
    if role is not None:
        query = query.where(User.role == role)
    if city_code is not None:
        query = query.where(User.city_code == city_code)
    if is_active is not None:
        query = query.where(User.is_active == is_active)
    return paginate(session, query.order_by(User.username), page=page, page_size=page_size)


def update_user(
    session: Session,
    actor: Actor,
    user: User,
    *,
    role: str | None = None,
    city_code: str | None = None,
    display_name: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change what is given (None leaves a field as it is); one audit event per kind."""
    new_role = role or user.role
    new_city = rules.check_role_city(new_role, city_code or user.city_code)
    if (new_role != user.role or is_active is False) and user.role == Role.province_admin:
        _keep_one_province_admin(session, user)
    target = f"user:{user.username}"
    if (new_role, new_city) != (user.role, user.city_code):
        audit.record(
            session,
            actor,
            "user.role_change",
            target,
            {"from": [user.role, user.city_code], "to": [new_role, new_city]},
        )
        user.role, user.city_code = new_role, new_city
    if display_name is not None:
        display_name = rules.check_text("display_name", display_name, max_length=100, required=True)
        if display_name != user.display_name:
            user.display_name = display_name
            audit.record(session, actor, "user.rename", target)
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        if not is_active:
            revoke_user_tokens(session, user)
        audit.record(session, actor, "user.enable" if is_active else "user.disable", target)
    session.flush()
    return user


def reset_password(session: Session, actor: Actor, user: User, password: str) -> None:
    """Set a new password; the user's open sessions end."""
    rules.check_password(password, username=user.username)
    user.password_hash = passwords.hash_password(password)
    revoke_user_tokens(session, user)
    audit.record(session, actor, "user.password_reset", f"user:{user.username}")
    session.flush()


def locked_until(session: Session, user: User, now: datetime | None = None) -> datetime | None:
    """When the lock-out of the user's name ends, or None when it is not locked."""
    until = session.scalar(
        select(LoginThrottle.locked_until).where(LoginThrottle.username == user.username)
    )
    return until if until is not None and until > (now or utcnow()) else None


def unlock_user(session: Session, actor: Actor, user: User) -> None:
    """End a lock-out after failed logins, and forget the failures counted so far."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.username == user.username))
    audit.record(session, actor, "user.unlock", f"user:{user.username}")
    session.flush()


def issue_token(session: Session, user: User) -> IssuedToken:
    now = utcnow()
    token = credentials.new_session_token()
    expires_at = now + timedelta(hours=get_settings().token_ttl_hours)
    # Each login sweeps the user's dead tokens, so the table does not grow without end.
    session.execute(
        delete(AuthToken).where(AuthToken.user_id == user.id, AuthToken.expires_at <= now)
    )
    session.add(
        AuthToken(token_hash=credentials.digest(token), user_id=user.id, expires_at=expires_at)
    )
    session.flush()
    return IssuedToken(token, expires_at)


def revoke_token(session: Session, actor: Actor, token_id: uuid.UUID) -> None:
    """End one session (logout)."""
    token = session.get(AuthToken, token_id)
    if token is None or token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record(session, actor, "auth.logout", f"user:{token.user.username}")
    session.flush()


def revoke_user_tokens(session: Session, user: User) -> None:
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _keep_one_province_admin(session: Session, leaving: User) -> None:
    others = session.scalar(
        select(func.count()).where(
            User.role == Role.province_admin, User.is_active.is_(True), User.id != leaving.id
        )
    )
    if not others:
        raise Conflict("至少需要保留一名启用的省级管理员。", code="last_province_admin")
