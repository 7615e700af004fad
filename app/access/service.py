"""Accounts, session tokens, partners and API keys. Services flush; the caller commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import credentials, passwords
from app.access.models import ApiKey, AuthToken, Partner, User
from app.core import audit
from app.core.audit import Actor
from app.core.errors import Conflict, InvalidInput, field_error
from app.core.reference import city_names
from app.core.settings import get_settings
from app.core.types import utcnow
from app.registry.codes import Role


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
    _check_role_city(role, city_code)
    try:
        passwords.check_policy(password, username=username)
    except passwords.WeakPassword as exc:
        raise InvalidInput(str(exc), errors=[field_error("password", exc.code, str(exc))]) from exc
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("用户名已存在。", code="username_taken")
    user = User(
        username=username,
        password_hash=passwords.hash_password(password),
        role=role,
        city_code=city_code if role == Role.city_operator else None,
        display_name=display_name or username,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", f"user:{username}", {"role": role, "city_code": city_code}
    )
    return user


def issue_token(session: Session, user: User) -> IssuedToken:
    token = credentials.new_session_token()
    expires_at = utcnow() + timedelta(hours=get_settings().token_ttl_hours)
    session.add(
        AuthToken(token_hash=credentials.digest(token), user_id=user.id, expires_at=expires_at)
    )
    session.flush()
    return IssuedToken(token, expires_at)


def create_partner(
    session: Session,
    actor: Actor,
    *,
    name: str,
    agency: str = "",
    scopes: list[str],
    disclose_person: bool = False,
) -> Partner:
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise Conflict("合作系统名称已存在。", code="partner_name_taken")
    partner = Partner(
        name=name, agency=agency, scopes=sorted(set(scopes)), disclose_person=disclose_person
    )
    session.add(partner)
    session.flush()
    audit.record(
        session,
        actor,
        "partner.create",
        f"partner:{partner.id}",
        {"name": name, "scopes": partner.scopes, "disclose_person": disclose_person},
    )
    return partner


def issue_api_key(
    session: Session,
    actor: Actor,
    partner: Partner,
    *,
    label: str = "",
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; the full key is returned once and never stored."""
    prefix, key = credentials.new_api_key()
    row = ApiKey(
        id=uuid.uuid4(),
        partner_id=partner.id,
        prefix=prefix,
        key_hash=credentials.digest(key),
        label=label,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "api_key.create", f"partner:{partner.id}", {"prefix": prefix})
    return row, key


def _check_role_city(role: str, city_code: str | None) -> None:
    if role not in set(Role):
        raise InvalidInput(
            "未知角色。", errors=[field_error("role", "invalid_choice", "未知角色。")]
        )
    if role == Role.city_operator and city_code not in city_names():
        raise InvalidInput(
            "市级经办人员必须绑定一个本省的市。",
            errors=[field_error("city_code", "invalid_city", "市级经办人员必须绑定一个本省的市。")],
        )
