"""Logging in and out, and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import JSONResponse

from app.access import login, ratelimit, service
from app.access.auth import CurrentPrincipal
from app.access.codes import Role
from app.access.models import Partner, User
from app.access.schemas import Me, PartnerMe, TokenOut, UserMe
from app.core.db import SessionDep
from app.core.errors import Forbidden
from app.core.openapi_doc import SESSION_TOKEN, accepts, errors
from app.core.problems import problem
from app.core.types import utcnow

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post(
    "/token",
    summary="Log in with username and password (OAuth2 password flow); get a bearer token",
    response_model=TokenOut,
    responses={
        401: {
            "description": "Wrong username or password, or the username is locked "
            "(then with `Retry-After`)",
            "headers": {
                "Retry-After": {
                    "description": "Seconds until the lock ends",
                    "schema": {"type": "integer"},
                }
            },
        },
        429: {"description": "Too many attempts for this username or from this address"},
    },
)
def token_issue(
    request: Request, session: SessionDep, form: Annotated[login.TokenRequest, Form()]
) -> Response:
    """Logs a person in with username and password (OAuth2 password flow) and answers a
    bearer session token. Anyone may call it; every attempt is audited, and repeated
    failures lock the username for a while (401 with Retry-After) or are rate-limited (429)."""
    outcome = login.authenticate(
        session,
        username=form.username,
        password=form.password,
        client_address=ratelimit.client_address(request),
    )
    # A refusal is answered, not raised: the failure count and audit event must commit.
    if outcome.token is None:
        return _refusal(outcome)
    body = TokenOut(
        access_token=outcome.token.token,
        expires_in=int((outcome.token.expires_at - utcnow()).total_seconds()),
    )
    return JSONResponse(body.model_dump(), headers=_NO_STORE)


@router.post(
    "/logout",
    summary="End the session of the token presented",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(403),
)
@accepts(SESSION_TOKEN)  # a partner's key is revoked by a province admin, not logged out
def token_revoke(principal: CurrentPrincipal, session: SessionDep) -> None:
    """Ends the session of the token presented. People only (a partner's key is revoked by a
    province admin); the logout is audited."""
    if principal.is_partner or principal.credential_id is None:
        raise Forbidden("合作系统的密钥不能注销，请由省级管理员吊销。")
    service.revoke_token(session, principal, principal.credential_id)


@router.get("/me", summary="Who is calling: the person or the partner system")
def me_get(principal: CurrentPrincipal, session: SessionDep) -> Me:
    """Says who is calling: the person (role, city) or the partner system (agency, scopes).
    Any authenticated caller; records nothing."""
    if principal.is_partner:
        partner = session.get_one(Partner, principal.id)
        return PartnerMe(
            name=partner.name,
            agency=partner.agency,
            scopes=partner.scopes,
            disclose_person=partner.disclose_person,
        )
    user = session.get_one(User, principal.id)
    return UserMe(
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        city_code=user.city_code,
    )


def _refusal(outcome: login.LoginOutcome) -> Response:
    refused = outcome.refusal()
    headers = {"WWW-Authenticate": "Bearer"}
    if refused.retry_after is not None:
        headers["Retry-After"] = str(refused.retry_after)
    title = "Login locked" if refused.retry_after is not None else "Login failed"
    return problem(401, refused.code, title, refused.detail, headers=headers)
