"""Priority lookups (partners and window clerks) and the record of them."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from app.access.auth import BatchCaller, LookupCaller, RegistryReader, WindowClerk
from app.access.ratelimit import charge_lookups
from app.core.db import SessionDep
from app.core.keyset import Cursor
from app.core.transactions import TransactionsDep, in_transaction
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


@router.post(
    "/priority/lookup",
    name="priority_lookup",
    summary="Does this person have priority for this service?",
    response_model=LookupAnswer,
)
async def priority_lookup(
    body: LookupRequest, caller: LookupCaller, transactions: TransactionsDep
) -> Response:
    return json_response(await service.lookup_one(caller, body, transactions))


@router.post(
    "/priority/lookups",
    name="priority_lookups",
    summary="Priority for up to 1000 ID numbers at once, answers in input order",
    response_model=LookupBatchAnswer,
)
async def priority_lookups(
    body: LookupBatchRequest, caller: BatchCaller, transactions: TransactionsDep
) -> Response:
    # Before anything is looked up or recorded: a refused batch leaves no trace.
    charge_lookups(caller.credential_id, body.size)
    now = utcnow()
    batch = await run_in_threadpool(partial(service.prepare_batch, caller, body, now=now))

    def lookup(connection: Connection) -> bytes:
        return service.lookup_batch(connection, batch, now=now)

    answer = await in_transaction(lookup, transactions)
    return Response(answer, media_type="application/json")


@router.get(
    "/talents/{talent_id}/access-log",
    name="talent_access_log",
    summary="Who looked this talent (or their dependents) up, when and why; newest first",
)
def talent_access_log(
    talent_id: uuid.UUID,
    caller: RegistryReader,
    session: SessionDep,
    cursor: Cursor = None,
    limit: PageSize = 20,
) -> AccessLogPage:
    return access_log.talent_access_log(session, caller, talent_id, cursor=cursor, limit=limit)


@router.get(
    "/lookups/mine",
    name="my_lookups",
    summary="The calling window clerk's own lookups, newest first",
)
def my_lookups(
    caller: WindowClerk, session: SessionDep, cursor: Cursor = None, limit: PageSize = 20
) -> MyLookupsPage:
    return access_log.my_lookups(session, caller, cursor=cursor, limit=limit)
