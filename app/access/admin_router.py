"""Administration of people, partner systems and API keys: province admins only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.access import partners, service
from app.access.auth import ProvinceAdmin
from app.access.codes import Role
from app.access.schemas import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyOut,
    PartnerCreate,
    PartnerOut,
    PartnerPage,
    PartnerUpdate,
    PasswordReset,
    UserCreate,
    UserOut,
    UserPage,
    UserUpdate,
)
from app.core.db import SessionDep
from app.core.openapi_doc import errors
from app.core.paging import PageNumber

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

PageSize = Annotated[int, Query(ge=1, le=100)]


@router.get("/users", summary="List user accounts")
def user_list(
    admin: ProvinceAdmin,
    session: SessionDep,
    page: PageNumber = 1,
    page_size: PageSize = 20,
    role: Role | None = None,
    city_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    is_active: bool | None = None,
) -> UserPage:
    """Lists user accounts, filtered by role, city and active state. Province admins only;
    records nothing."""
    found = service.list_users(
        session,
        page=page,
        page_size=page_size,
        role=role,
        city_code=city_code,
        is_active=is_active,
    )
    items = [UserOut.model_validate(u) for u in found.items]
    return UserPage(items=items, total=found.total, page=page, page_size=page_size)


@router.post(
    "/users",
    summary="Create a user account",
    status_code=status.HTTP_201_CREATED,
    responses=errors(409),
)
def user_create(admin: ProvinceAdmin, session: SessionDep, body: UserCreate) -> UserOut:
    """Creates a user account with a role (and a city for city operators). Province admins
    only; the creation is audited."""
    user = service.create_user(
        session,
        admin,
        username=body.username,
        password=body.password,
        role=body.role,
        city_code=body.city_code,
        display_name=body.display_name,
    )
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", summary="One user account")
def user_get(admin: ProvinceAdmin, session: SessionDep, user_id: uuid.UUID) -> UserOut:
    """Reads one user account. Province admins only; records nothing."""
    return UserOut.model_validate(service.get_user(session, user_id))


@router.patch(
    "/users/{user_id}",
    summary="Change a user's role, city, name or active state",
    responses=errors(409),
)
def user_update(
    admin: ProvinceAdmin, session: SessionDep, user_id: uuid.UUID, body: UserUpdate
) -> UserOut:
    """Changes a user's role, city, display name or active state; deactivating ends their
    sessions. Province admins only; the change is audited."""
    user = service.update_user(
        session,
        admin,
        service.get_user(session, user_id),
        role=body.role,
        city_code=body.city_code,
        display_name=body.display_name,
        is_active=body.is_active,
    )
    return UserOut.model_validate(user)


@router.post(
    "/users/{user_id}/password",
    summary="Set a new password; the user's sessions end",
    status_code=status.HTTP_204_NO_CONTENT,
)
def user_password_reset(
    admin: ProvinceAdmin, session: SessionDep, user_id: uuid.UUID, body: PasswordReset
) -> None:
    """Sets a new password for a user and ends their sessions. Province admins only; the
    reset is audited (never the password)."""
    service.reset_password(session, admin, service.get_user(session, user_id), body.password)


@router.post(
    "/users/{user_id}/unlock",
    summary="End a login lock-out",
    status_code=status.HTTP_204_NO_CONTENT,
)
def user_unlock(admin: ProvinceAdmin, session: SessionDep, user_id: uuid.UUID) -> None:
    """End the lock-out that repeated failed logins put on a user's name, at once, and
    forget the failures counted so far; the unlock is recorded in the audit chain."""
    service.unlock_user(session, admin, service.get_user(session, user_id))


@router.get("/partners", summary="List partner systems")
def partner_list(
    admin: ProvinceAdmin,
    session: SessionDep,
    page: PageNumber = 1,
    page_size: PageSize = 20,
    is_active: bool | None = None,
) -> PartnerPage:
    """Lists partner systems. Province admins only; records nothing."""
    found = partners.list_partners(session, page=page, page_size=page_size, is_active=is_active)
    items = [PartnerOut.model_validate(p) for p in found.items]
    return PartnerPage(items=items, total=found.total, page=page, page_size=page_size)


@router.post(
    "/partners",
    summary="Register a partner system",
    status_code=status.HTTP_201_CREATED,
    responses=errors(409),
)
def partner_create(admin: ProvinceAdmin, session: SessionDep, body: PartnerCreate) -> PartnerOut:
    """Registers a partner system with its agency, scopes and disclosure policy. Province
    admins only; the registration is audited."""
    partner = partners.create_partner(
        session,
        admin,
        name=body.name,
        agency=body.agency,
        scopes=body.scopes,
        disclose_person=body.disclose_person,
    )
    return PartnerOut.model_validate(partner)


@router.get("/partners/{partner_id}", summary="One partner system")
def partner_get(admin: ProvinceAdmin, session: SessionDep, partner_id: uuid.UUID) -> PartnerOut:
    """Reads one partner system. Province admins only; records nothing."""
    return PartnerOut.model_validate(partners.get_partner(session, partner_id))


@router.patch(
    "/partners/{partner_id}", summary="Change a partner's name, agency, scopes, disclosure or state"
)
def partner_update(
    admin: ProvinceAdmin, session: SessionDep, partner_id: uuid.UUID, body: PartnerUpdate
) -> PartnerOut:
    """Changes a partner's agency, scopes, disclosure policy or active state. Province
    admins only; the change is audited."""
    partner = partners.update_partner(
        session,
        admin,
        partners.get_partner(session, partner_id),
        name=body.name,
        agency=body.agency,
        scopes=body.scopes,
        disclose_person=body.disclose_person,
        is_active=body.is_active,
    )
    return PartnerOut.model_validate(partner)


@router.get("/partners/{partner_id}/keys", summary="A partner's API keys (never the keys)")
def api_key_list(
    admin: ProvinceAdmin, session: SessionDep, partner_id: uuid.UUID
) -> list[ApiKeyOut]:
    """Lists a partner's API keys by prefix, expiry and last use (never the keys). Province
    admins only; records nothing."""
    partner = partners.get_partner(session, partner_id)
    return [ApiKeyOut.model_validate(k) for k in partners.list_api_keys(session, partner)]


@router.post(
    "/partners/{partner_id}/keys",
    summary="Issue an API key; the key is in this answer only",
    status_code=status.HTTP_201_CREATED,
)
def api_key_issue(
    admin: ProvinceAdmin,
    session: SessionDep,
    partner_id: uuid.UUID,
    body: ApiKeyCreate,
    response: Response,
) -> ApiKeyIssued:
    """Issues a new API key for a partner; the key is in this answer only and is stored
    hashed. Province admins only; the issue is audited."""
    row, key = partners.issue_api_key(
        session,
        admin,
        partners.get_partner(session, partner_id),
        label=body.label,
        expires_at=body.expires_at,
    )
    response.headers["Cache-Control"] = "no-store"
    return ApiKeyIssued(**ApiKeyOut.model_validate(row).model_dump(), key=key)


@router.post(
    "/partners/{partner_id}/keys/{key_id}/revoke",
    summary="Revoke an API key at once",
)
def api_key_revoke(
    admin: ProvinceAdmin, session: SessionDep, partner_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKeyOut:
    """Revokes a partner's API key at once. Province admins only; the revocation is audited."""
    partner = partners.get_partner(session, partner_id)
    key = partners.revoke_api_key(session, admin, partners.get_api_key(session, partner, key_id))
    return ApiKeyOut.model_validate(key)
