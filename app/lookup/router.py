"""Priority lookups (partners and window clerks) and the record of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from app.access.auth import (
    BatchCaller,
    LookupCaller,
    RegistryReader,
    WindowClerk,
    lookup_gate,
)
from app.access.ratelimit import charge_lookups
from app.core.db import SessionDep
from app.core.keyset import Cursor
from app.core.transactions import TransactionsDep, get_transactions, in_transaction
from app.core.types import utcnow
from app.lookup import access_log, service
from app.lookup.schemas import (
    AccessLogPage,
    LookupAnswer,
    LookupBatchAnswer,
    LookupBatchRequest,
    LookupRequest,
    MyLookupsPage,
)

router = APIRouter(prefix="/api/v1", tags=["priority"])

PageSize = Annotated[int, Query(ge=1, le=100)]


def json_response(answer: BaseModel) -> Response:
    """The answer serialised once, as built: `person` stays absent unless it was set.
    (Returning the model would have FastAPI dump, re-validate and dump it again; a 1000-entry
    batch is the hot path.)"""
    return Response(answer.model_dump_json(exclude_unset=True), media_type="application/json")


class _ShortLookupRoute(APIRoute):
    """The single lookup, which partners call by the hundred a second, takes a short way when
    its body is well-formed JSON: the endpoint below with the same gate and transactions,
    called directly instead of FastAPI resolving them on each call (a quarter of a lookup's
    instructions, `bench/lookup_cost.py`). Any other body goes FastAPI's way, so that every
    refusal of one is FastAPI's own. The order is FastAPI's too: the caller is admitted
    before the body counts."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        declared = super().get_route_handler()

        async def handler(request: Request) -> Response:
            body = await request.body()
            ask = _well_formed(request.headers.get("content-type"), body)
            if ask is None:
                return await declared(request)
            overrides = request.app.dependency_overrides  # the tests' transactions
            transactions = await overrides.get(get_transactions, get_transactions)()
            caller = await lookup_gate(request, transactions)
            return await priority_lookup(ask, caller, transactions)

        return handler


_JSON = "application/json"


def _well_formed(content_type: str | None, body: bytes) -> LookupRequest | None:
    if content_type is None or content_type.partition(";")[0].strip().lower() != _JSON:
        return None
    try:
        return LookupRequest.model_validate_json(body)
    except ValidationError:
        return None


async def priority_lookup(
    body: LookupRequest, caller: LookupCaller, transactions: TransactionsDep
) -> Response:
    """Answers whether one person (by ID number or card number) has priority for one
    service, and on what basis. Partner systems (within their scopes) and window clerks may
    call it; every lookup is recorded (who, when, service, purpose, outcome) before the
    answer is sent."""
    return json_response(await service.lookup_one(caller, body, transactions))


router.add_api_route(
    "/priority/lookup",
    priority_lookup,
    methods=["POST"],
    summary="Does this person have priority for this service?",
    response_model=LookupAnswer,
    route_class_override=_ShortLookupRoute,
)


@router.post(
    "/priority/lookups",
    summary="Priority for up to 1000 ID numbers at once, answers in input order",
    response_model=LookupBatchAnswer,
)
async def priority_lookups(
    body: LookupBatchRequest, caller: BatchCaller, transactions: TransactionsDep
) -> Response:
    # Before anything is looked up or recorded: a refused batch leaves no trace.
    """Answers up to 1000 ID numbers (or card numbers) for one service, one entry per input
    in input order; an invalid entry carries its error and does not fail the batch. Partner
    systems only; counts as one lookup per number against the caller's quota, and each
    lookup is recorded."""
    charge_lookups(caller.credential_id, body.size)
    now = utcnow()
    batch = await run_in_threadpool(partial(service.prepare_batch, caller, body, now=now))

    def lookup(connection: Connection) -> bytes:
        return service.lookup_batch(connection, batch, now=now)

    answer = await in_transaction(lookup, transactions)
    return Response(answer, media_type="application/json")


@router.get(
    "/talents/{talent_id}/access-log",
    summary="Who looked this talent (or their dependents) up, when and why; newest first",
)
def talent_access_log(
    talent_id: uuid.UUID,
    caller: RegistryReader,
    session: SessionDep,
    cursor: Cursor = None,
    limit: PageSize = 20,
) -> AccessLogPage:
    """Lists who looked a talent or their dependents up, when and why, newest first.
    Province admins, auditors and the talent's city operator may read it; reading it is not
    itself recorded as a lookup."""
    return access_log.talent_access_log(session, caller, talent_id, cursor=cursor, limit=limit)


@router.get(
    "/lookups/mine",
    summary="The calling window clerk's own lookups, newest first",
)
def lookup_list_mine(
    caller: WindowClerk, session: SessionDep, cursor: Cursor = None, limit: PageSize = 20
) -> MyLookupsPage:
    """Lists the calling window clerk's own lookups, newest first, so a clerk can account
    for them. Window clerks only; records nothing."""
    return access_log.my_lookups(session, caller, cursor=cursor, limit=limit)
