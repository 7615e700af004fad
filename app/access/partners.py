"""Partner systems and their API keys. Services flush; the caller commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import credentials, rules
from app.access.codes import scope_for
from app.access.models import ApiKey, Partner
from app.core import audit
from app.core.audit import Actor
from app.core.errors import Conflict, InvalidInput, NotFound, field_error
from app.core.paging import Page, paginate
from app.core.reference import codes_of
from app.core.types import utcnow


def partner_scopes(session: Session) -> tuple[str, ...]:
    """The scopes a partner may be given: one per active service of the province's list."""
    services = codes_of(session.connection(), "services")
    return tuple(scope_for(row.code) for row in services if row.active)


def create_partner(
    session: Session,
    actor: Actor,
    *,
    name: str,
    agency: str = "",
    scopes: Iterable[str],
    disclose_person: bool = False,
) -> Partner:
    name = _free_name(session, name)
    agency = rules.check_text("agency", agency, max_length=100)
    chosen = rules.check_scopes(scopes, partner_scopes(session))
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise Conflict("合作系统名称已存在。", code="partner_name_taken")
    partner = Partner(name=name, agency=agency, scopes=chosen, disclose_person=disclose_person)
    session.add(partner)
    session.flush()
    audit.record(
        session,
        actor,
        "partner.create",
        f"partner:{partner.id}",
        {"name": name, "scopes": chosen, "disclose_person": disclose_person},
    )
    return partner


def _free_name(session: Session, name: str) -> str:
    """A checked partner name that no other partner has."""
    name = rules.check_text("name", name, max_length=100, required=True)
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise Conflict("合作系统名称已存在。", code="partner_name_taken")
    return name


def get_partner(session: Session, partner_id: uuid.UUID) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("合作系统不存在。")
    return partner


def get_partner_by_name(session: Session, name: str) -> Partner:
    partner = session.scalar(select(Partner).where(Partner.name == name))
    if partner is None:
        raise NotFound("合作系统不存在。")
    return partner


def list_partners(
    session: Session, *, page: int = 1, page_size: int = 20, is_active: bool | None = None
) -> Page[Partner]:
    query = select(Partner)
    if is_active is not None:
        query = query.where(Partner.is_active == is_active)
    return paginate(session, query.order_by(Partner.name), page=page, page_size=page_size)


def update_partner(
    session: Session,
    actor: Actor,
    partner: Partner,
    *,
    name: str | None = None,
    agency: str | None = None,
    scopes: Iterable[str] | None = None,
    disclose_person: bool | None = None,
    is_active: bool | None = None,
) -> Partner:
    """Change what is given (None leaves a field as it is), as one audit event."""
    changes: dict[str, object] = {}
    if name is not None and name.strip() != partner.name:
        partner.name = changes["name"] = _free_name(session, name)
    if agency is not None:
        partner.agency = changes["agency"] = rules.check_text("agency", agency, max_length=100)
    if scopes is not None:
        partner.scopes = changes["scopes"] = rules.check_scopes(scopes, partner_scopes(session))
    if disclose_person is not None:
        partner.disclose_person = changes["disclose_person"] = disclose_person
    if is_active is not None:
        partner.is_active = changes["is_active"] = is_active
    if changes:
        audit.record(session, actor, "partner.update", f"partner:{partner.id}", changes)
    session.flush()
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
    label = rules.check_text("label", label, max_length=100)
    if expires_at is not None and expires_at <= utcnow():
        message = "过期时间必须晚于现在。"
        raise InvalidInput(message, errors=[field_error("expires_at", "in_the_past", message)])
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
    audit.record(
        session,
        actor,
        "api_key.create",
        f"partner:{partner.id}",
        {"prefix": prefix, "expires_at": expires_at},
    )
    return row, key


def list_api_keys(session: Session, partner: Partner) -> Sequence[ApiKey]:
    return session.scalars(
        select(ApiKey).where(ApiKey.partner_id == partner.id).order_by(ApiKey.created_at)
    ).all()


def get_api_key(session: Session, partner: Partner, key_id: uuid.UUID) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.partner_id != partner.id:
        raise NotFound("密钥不存在。")
    return key


def get_api_key_by_prefix(session: Session, prefix: str) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise NotFound("密钥不存在。")
    return key


def revoke_api_key(session: Session, actor: Actor, key: ApiKey) -> ApiKey:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(
            session, actor, "api_key.revoke", f"partner:{key.partner_id}", {"prefix": key.prefix}
        )
        session.flush()
    return key
