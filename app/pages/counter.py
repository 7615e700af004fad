"""服务窗口: a window clerk checks whether the person at the counter has priority.

The lookup is a POST (the ID number never enters a URL) answered by the lookup service,
which records it before the answer is shown, exactly as for the API.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.auth import Principal
from app.core.db import SessionDep
from app.core.free_text import TEXT_CODES
from app.core.types import utcnow
from app.lookup import access_log, service
from app.lookup.schemas import LookupRequest
from app.pages.rendering import render
from app.pages.session import page_gate
from app.registry.codes import Role, Service
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
def counter_lookup(
    request: Request,
    clerk: Clerk,
    session: SessionDep,
    query: Annotated[str, Form(max_length=64)] = "",
    service_code: Annotated[str, Form(alias="service", max_length=32)] = "",
    purpose: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    form = {"query": query, "service": service_code, "purpose": purpose}
    try:
        lookup = LookupRequest.model_validate(
            {**_subject(query), "service": service_code, "purpose": purpose}
        )
    except ValidationError as exc:
        return _page(request, session, clerk, form=form, error=_first_message(exc), status=422)
    answer = service.lookup_one(session.connection(), clerk, lookup, now=utcnow())
    # A new person comes next: the number field is cleared, service and purpose stay.
    form["query"] = ""
    return _page(request, session, clerk, form=form, answer=answer)


def _page(
    request: Request,
    session: Session,
    clerk: Principal,
    *,
    form: dict[str, str],
    answer: Any = None,
    error: str = "",
    status: int = 200,
) -> Response:
    recent = access_log.my_lookups(session, clerk, page=1, page_size=RECENT)
    context = {
        "form": form,
        "answer": answer,
        "error": error,
        "services": list(Service),
        "recent": recent,
    }
    return render(request, "counter.html", context, status_code=status)


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
