"""服务窗口: a window clerk checks whether the person at the counter has priority.

The lookup is a POST (the ID number never enters a URL) answered by the API's own single
lookup (`lookup.service.lookup_one`), which records it before the answer is shown.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.access.auth import Principal
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.free_text import TEXT_CODES
from app.core.reference import codes_of
from app.core.transactions import TransactionsDep
from app.lookup import access_log, service
from app.lookup.schemas import LookupRequest
from app.pages.errors import FormRefused, Retry
from app.pages.rendering import render
from app.pages.session import page_gate
from app.registry.identifiers import normalize_id_number

router = APIRouter()

Clerk = Annotated[Principal, Depends(page_gate(Role.window_clerk))]
RECENT = 10
# What a typed or scanned ID number looks like (15 digits are the old first-generation
# numbers: the validator then says to use the 18-digit one); anything else is a card number.
_ID_SHAPED = re.compile(r"\d{14,17}[\dX]")
_FIELD_MESSAGES = {
    "purpose": "请填写查询事由（1至200字），例如业务受理编号。",
    "service": "请选择服务事项。",
    "card_no": "蓝卡卡号格式不正确（最多32位）。",
}


@router.get("/counter", name="page_counter_home")
def counter_home(request: Request, clerk: Clerk, session: SessionDep) -> Response:
    return _page(request, session, clerk, form={"service": "", "purpose": ""})


@router.post("/counter/lookup", name="page_counter_lookup")
async def counter_lookup(
    request: Request,
    clerk: Clerk,
    session: SessionDep,
    transactions: TransactionsDep,
    query: Annotated[str, Form(max_length=64)] = "",
    service_code: Annotated[str, Form(alias="service", max_length=32)] = "",
    purpose: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    # The number field is never shown back: a new person comes next, or it was mistyped.
    form = {"query": "", "service": service_code, "purpose": purpose}
    try:
        lookup = LookupRequest.model_validate(
            {**_subject(query), "service": service_code, "purpose": purpose}
        )
    except ValidationError as exc:
        raise FormRefused(
            lambda again, retry: _page(request, again, clerk, form=retry.form, retry=retry),
            error=_first_message(exc),
            status=422,
            form=form,
        ) from exc
    # The page's session has only read who is calling. Its transaction ends here, so that
    # it holds no lock while the lookup commits in its own (the API's path), and the list
    # of recent lookups below is read afresh, this one included.
    await run_in_threadpool(session.commit)
    answer = await service.lookup_one(clerk, lookup, transactions)
    page = partial(_page, request, session, clerk, form=form, answer=answer)
    return await run_in_threadpool(page)


def _page(
    request: Request,
    session: Session,
    clerk: Principal,
    *,
    form: dict[str, str],
    answer: Any = None,
    retry: Retry | None = None,
) -> Response:
    recent = access_log.my_lookups(session, clerk, page=1, page_size=RECENT)
    context = {
        "form": form,
        "answer": answer,
        "error": retry.error if retry else "",
        "services": [s.code for s in codes_of(session.connection(), "services") if s.active],
        "recent": recent,
    }
    return render(request, "counter.html", context, status_code=retry.status if retry else 200)


def _subject(query: str) -> dict[str, str]:
    """An ID number or a card number, told apart by shape."""
    normalised = normalize_id_number(query)
    if not normalised:
        return {}
    if _ID_SHAPED.fullmatch(normalised):
        return {"id_number": normalised}
    return {"card_no": query}


def _first_message(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    if error["type"] in TEXT_CODES:
        return f"查询事由{error['msg']}。"
    if field in _FIELD_MESSAGES:
        return _FIELD_MESSAGES[field]
    # The ID-number and either-or checks already speak Chinese and never echo the number.
    message = str(error["msg"]).removeprefix("Value error, ")
    return message if re.search(r"[\u4e00-\u9fff]", message) else "请输入身份证号或蓝卡卡号。"
