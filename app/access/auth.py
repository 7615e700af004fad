"""Who is calling, and the gates each route names in its signature.

`Principal` is the caller: a person (with a role, and a city for city operators) or a
partner system (with scopes). Routes declare one of the `Annotated` gates below, so a
reader sees who may call a route where it is defined.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Annotated, Any, Literal, Protocol, TypeVar

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, Connection, bindparam, select, true, update
from sqlalchemy.orm import QueryableAttribute

from app.access import credentials, ratelimit
from app.access.codes import Role
from app.access.models import ApiKey, AuthToken, Partner, User
from app.core.errors import AppError, Forbidden, NotFound, Unauthorized
from app.core.group_commit import Outcome, in_group
from app.core.openapi_doc import PARTNER_KEY, SESSION_TOKEN, accepts, answers
from app.core.settings import get_settings
from app.core.transactions import Transactions, TransactionsDep, in_transaction
from app.core.types import utcnow

PARTNER_ROLE = "partner"
# Writing last_used_at on every call would turn each lookup into two writes.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "partner"]
    id: uuid.UUID
    name: str
    role: str
    city_code: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    disclose_person: bool = False
    credential_id: uuid.UUID | None = None
    display_name: str = ""  # what pages call a person; `name` is the login name

    @property
    def actor_id(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def actor_role(self) -> str:
        return self.role

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"

    def sees_city(self, city_code: str | None) -> bool:
        """The wall between cities: a city operator, or a clerk at a city's window, sees
        only their own city; the province's people see every city."""
        return self.city_code is None or city_code == self.city_code

    def city_filter(self, column: QueryableAttribute[Any]) -> ColumnElement[bool]:
        """`sees_city` as a condition on a query's city-code column."""
        return true() if self.city_code is None else column == self.city_code


class InACity(Protocol):
    """A record that belongs to a city (a submission, a case, an application...)."""

    @property
    def city_code(self) -> str: ...


Walled = TypeVar("Walled", bound=InACity)


def within_wall(viewer: Principal, found: Walled | None, message: str) -> Walled:
    """`found`, if it exists on the viewer's side of the city wall; else 404 `message`
    (a record beyond the wall is answered as one that does not exist)."""
    if found is None or not viewer.sees_city(found.city_code):
        raise NotFound(message)
    return found


def admit_group(connection: Connection, secrets: list[str]) -> list[Outcome]:
    """The calls that arrived together (a `group_commit` handler), each as its live
    principal, counted against its rate limit, and whether its key's last use is worth
    recording. Each distinct secret is resolved once: a partner's busy system sends one
    key with many calls at a time, and its last use is recorded for the first of them."""
    resolved: dict[str, Principal | None] = {}
    outcomes: list[Outcome] = []
    for secret in secrets:
        used = False
        if secret in resolved:
            principal = resolved[secret]
        else:
            principal, used = _resolve(connection, secret)
            resolved[secret] = principal
        try:
            outcomes.append((True, (_admit(principal), used)))
        except AppError as refused:
            outcomes.append((False, refused))
    return outcomes


def _admit(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("访问凭据无效、已过期或已被吊销。")
    ratelimit.hit_or_raise(
        f"credential:{principal.credential_id}", get_settings().rate_limit_credential
    )
    return principal


def _resolve(connection: Connection, secret: str) -> tuple[Principal | None, bool]:
    """The principal, and whether its key's last use is worth recording."""
    if secret.startswith(credentials.API_KEY_PREFIX):
        return _partner_from_key(connection, secret)
    return _user_from_token(connection, secret), False


def _mark_used(connection: Connection, principal: Principal) -> None:
    connection.execute(_MARK_USED, {"key_id": principal.credential_id, "used_at": utcnow()})


# The resolvers run on every authenticated call: Core statements built once, only the
# columns needed, no ORM objects (loading those cost more than the lookup that follows).
_TOKEN_QUERY = (
    select(
        AuthToken.id,
        AuthToken.expires_at,
        AuthToken.revoked_at,
        User.id.label("user_id"),
        User.username,
        User.role,
        User.city_code,
        User.is_active,
        User.display_name,
    )
    .join(User, User.id == AuthToken.user_id)
    .where(AuthToken.token_hash == bindparam("token_hash"))
)
_KEY_QUERY = (
    select(
        ApiKey.id,
        ApiKey.key_hash,
        ApiKey.revoked_at,
        ApiKey.expires_at,
        ApiKey.last_used_at,
        Partner.id.label("partner_id"),
        Partner.name,
        Partner.scopes,
        Partner.disclose_person,
        Partner.is_active,
    )
    .join(Partner, Partner.id == ApiKey.partner_id)
    .where(ApiKey.prefix == bindparam("prefix"))
)
_MARK_USED = (
    update(ApiKey).where(ApiKey.id == bindparam("key_id")).values(last_used_at=bindparam("used_at"))
)


def _user_from_token(connection: Connection, token: str) -> Principal | None:
    row = connection.execute(_TOKEN_QUERY, {"token_hash": credentials.digest(token)}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not row.is_active:
        return None
    return Principal(
        kind="user",
        id=row.user_id,
        name=row.username,
        role=row.role,
        city_code=row.city_code,
        credential_id=row.id,
        display_name=row.display_name,
    )


def _partner_from_key(connection: Connection, key: str) -> tuple[Principal | None, bool]:
    prefix = credentials.api_key_prefix(key)
    if prefix is None:
        return None, False
    row = connection.execute(_KEY_QUERY, {"prefix": prefix}).first()
    now = utcnow()
    if (
        row is None
        or not hmac.compare_digest(row.key_hash, credentials.digest(key))
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or not row.is_active
    ):
        return None, False
    principal = Principal(
        kind="partner",
        id=row.partner_id,
        name=row.name,
        role=PARTNER_ROLE,
        scopes=frozenset(row.scopes),
        disclose_person=row.disclose_person,
        credential_id=row.id,
    )
    stale = row.last_used_at is None or now - row.last_used_at > _LAST_USED_GRANULARITY
    return principal, stale


def bearer_secret(request: Request) -> str | None:
    """The secret sent as `Authorization: Bearer <session token or API key>`, if any."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


async def admit(secret: str, transactions: Transactions) -> Principal:
    """The one authentication, for the API and the pages alike: the live principal behind
    a session token or API key, counted against its credential's rate limit; 401 when
    there is none. It runs on every authenticated call, so the credential is read in a
    read-only transaction shared with the calls that arrive at the same time
    (`admit_group`); a key's last use is written, at most once a minute, in one of its own."""
    admitted: tuple[Principal, bool] = await in_group(
        secret, admit_group, transactions, read_only=True
    )
    principal, used = admitted
    if used:
        await in_transaction(partial(_mark_used, principal=principal), transactions)
    return principal


async def authenticate(request: Request, transactions: Transactions) -> Principal:
    """The caller behind the request's bearer credential (`admit`), remembered on the
    request for its access-log line; 401 without one."""
    secret = bearer_secret(request)
    if secret is None:
        raise Unauthorized("缺少访问凭据。")
    principal = await admit(secret, transactions)
    request.scope.setdefault("state", {})["caller_id"] = principal.actor_id
    return principal


@answers(401, 429)
@accepts(SESSION_TOKEN, PARTNER_KEY)
async def current_principal(request: Request, transactions: TransactionsDep) -> Principal:
    return await authenticate(request, transactions)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def allow(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A gate admitting the given roles (`partner` for partner systems). One dependency,
    not one on `current_principal`: FastAPI's cost is per dependency, and every call pays
    it. Async: it awaits the grouped admission, where a sync one would cost a thread hop."""

    async def gate(request: Request, transactions: TransactionsDep) -> Principal:
        principal = await authenticate(request, transactions)
        if principal.role not in roles:
            raise Forbidden("当前身份无权执行此操作。")
        return principal

    gate.__name__ = "allow_" + "_".join(roles)
    # People come with session tokens, partner systems with API keys.
    schemes = [SESSION_TOKEN] if set(roles) - {PARTNER_ROLE} else []
    schemes += [PARTNER_KEY] if PARTNER_ROLE in roles else []
    return accepts(*schemes)(answers(401, 403, 429)(gate))


ProvinceAdmin = Annotated[Principal, Depends(allow(Role.province_admin))]
CityOperator = Annotated[Principal, Depends(allow(Role.city_operator))]
WindowClerk = Annotated[Principal, Depends(allow(Role.window_clerk))]
Auditor = Annotated[Principal, Depends(allow(Role.auditor, Role.province_admin))]
RegistryReader = Annotated[
    Principal, Depends(allow(Role.province_admin, Role.city_operator, Role.auditor))
]
FilingParty = Annotated[Principal, Depends(allow(Role.province_admin, Role.city_operator))]
lookup_gate = allow(Role.window_clerk, PARTNER_ROLE)
LookupCaller = Annotated[Principal, Depends(lookup_gate)]
# Batches are for partner systems; a window clerk asks about the person at the counter.
BatchCaller = Annotated[Principal, Depends(allow(PARTNER_ROLE))]
