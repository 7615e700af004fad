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
from app.lookup import access_log, reads, service
from app.lookup.schemas import LookupRequest
from app.pages.errors import FormRefused, Retry, first_form_message
from app.pages.rendering import render
from app.pages.session import page_gate
from app.pages.talents import PRINT_PURPOSE, access_log_sheet
from app.registry.identifiers import InvalidIdNumber, normalize_id_number, validate_id_number
from app.registry.markers import local_today

router = APIRouter()

Clerk = Annotated[Principal, Depends(page_gate(Role.window_clerk))]
RECENT = 10
# Digits only (an X last) is an ID number however long, so a mistyped one gets the ID
# validator's message (its length, its check character), never "no priority".
_ID_SHAPED = re.compile(r"\d+X?")
# A card number as the pool holds them (`registry.cards`: 4 to 32 letters, digits or
# hyphens), with a digit in it; a card-shaped number must also be a card the system knows.
_CARD_SHAPED = re.compile(r"(?=.*\d)[0-9A-Z-]{4,32}")
_CARD_FORMAT = "蓝卡卡号应为4至32位字母、数字或连字符；身份证号应为18位。请核对后重新输入。"
_FIELD_MESSAGES = {
    "purpose": "请填写查询事由（1至200字），例如业务受理编号。",
    "service": "请选择服务事项。",
    "card_no": _CARD_FORMAT,
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
    subject = _subject(query)
    if subject is None:
        raise _refused(request, clerk, _CARD_FORMAT, form)
    try:
        lookup = LookupRequest.model_validate(
            {**subject, "service": service_code, "purpose": purpose}
        )
    except ValidationError as exc:
        raise _refused(request, clerk, _first_message(exc), form) from exc
    if lookup.card_no is not None and not await run_in_threadpool(
        service.card_known, session.connection(), lookup.card_no
    ):
        # No card anyone holds: a typo, said as one (nothing recorded: nobody was asked about).
        message = "系统中没有这个蓝卡卡号，请核对卡号，或改用身份证号查询。"
        raise _refused(request, clerk, message, form)
    # The page's session has only read who is calling. Its transaction ends here, so that
    # it holds no lock while the lookup commits in its own (the API's path), and the list
    # of recent lookups below is read afresh, this one included.
    await run_in_threadpool(session.commit)
    answer = await service.lookup_one(clerk, lookup, transactions)
    page = partial(_page, request, session, clerk, form=form, answer=answer)
    return await run_in_threadpool(page)


@router.post("/counter/access-log", name="page_counter_access_log")
def counter_access_log(
    request: Request,
    clerk: Clerk,
    session: SessionDep,
    query: Annotated[str, Form(alias="person_id_number", max_length=64)] = "",
) -> Response:
    """The access log of the person at the window, found by their ID number (a POST: the
    number never enters a URL) through `reads`, which records this read like any other."""
    form = {"query": "", "service": "", "purpose": ""}
    try:
        number = validate_id_number(query, today=local_today())
    except InvalidIdNumber as exc:
        raise _refused(request, clerk, exc.message_zh, form, target="log") from exc
    talent = reads.find_by_id_number(
        session, clerk, number, purpose=PRINT_PURPOSE, today=local_today()
    )
    if talent is None:  # a read like any other: recorded, so shown (not refused)
        return _page(request, session, clerk, form=form, log_error=reads.NOT_FOUND_MESSAGE)
    back = str(request.app.url_path_for("page_counter_home"))
    return access_log_sheet(
        request, session, clerk, talent, back_url=back, back_label="返回服务窗口"
    )


def _page(
    request: Request,
    session: Session,
    clerk: Principal,
    *,
    form: dict[str, str],
    answer: Any = None,
    retry: Retry | None = None,
    log_error: str = "",
) -> Response:
    recent = access_log.my_lookups(session, clerk, cursor=None, limit=RECENT)
    context = {
        "form": form,
        "answer": answer,
        "error": retry.error if retry and not log_error else "",
        "log_error": log_error,
        "services": [s.code for s in codes_of(session.connection(), "services") if s.active],
        "recent": recent,
    }
    return render(request, "counter.html", context, status_code=retry.status if retry else 200)


def _refused(
    request: Request, clerk: Principal, error: str, form: dict[str, str], *, target: str = ""
) -> FormRefused:
    """The counter again with `error` by the lookup form, or by the access-log one (`log`)."""
    log_error = error if target == "log" else ""
    return FormRefused(
        lambda again, retry: _page(
            request, again, clerk, form=retry.form, retry=retry, log_error=log_error
        ),
        error=error,
        status=422,
        form=form,
    )


def _subject(query: str) -> dict[str, str] | None:
    """An ID number or a card number, told apart by shape; None when shaped like neither."""
    normalised = normalize_id_number(query)
    if not normalised:
        return {}
    if _ID_SHAPED.fullmatch(normalised):
        return {"id_number": normalised}
    if _CARD_SHAPED.fullmatch(normalised):
        return {"card_no": normalised}
    return None


def _first_message(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    if field in _FIELD_MESSAGES and error["type"] not in TEXT_CODES:
        return _FIELD_MESSAGES[field]
    # The ID-number and either-or checks already speak Chinese and never echo the number.
    return first_form_message(exc)
