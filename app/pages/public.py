"""公布名单 (向社会公布): the published roster and the marker verification page (no login)."""

from __future__ import annotations

import math
import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.access.ratelimit import PublicRateLimit
from app.core.db import SessionDep
from app.core.errors import InvalidInput, NotFound, field_error
from app.core.paging import PageNumber
from app.core.reference import codes_of
from app.pages.rendering import render
from app.pages.session import MaybePageUser
from app.public import service
from app.registry.markers import local_today

router = APIRouter()

PAGE_SIZE = 20
# A search box is no place for an ID number: it would land in the URL and history.
_ID_LIKE = re.compile(r"\d{6,}")


@router.get("/roster", name="page_roster")
def roster_page(
    request: Request,
    _limit: PublicRateLimit,
    _user: MaybePageUser,
    session: SessionDep,
    city_code: str = "",
    category: str = "",
    q: Annotated[str, Query(max_length=50)] = "",
    page: PageNumber = 1,
) -> Response:
    where = _roster_filter(session, city_code, category, q.strip())
    today = local_today()
    result = service.roster_page(session, where, today=today, page=page, page_size=PAGE_SIZE)
    filters = {"city_code": city_code, "category": category, "q": q.strip()}
    base = str(request.app.url_path_for("page_roster"))
    active = {k: v for k, v in filters.items() if v}

    def url_for_page(number: int) -> str:
        return f"{base}?{urlencode({**active, 'page': number})}"

    context = {
        "result": result,
        "filters": filters,
        "categories": [row.code for row in codes_of(session.connection(), "categories")],
        "pages": max(1, math.ceil(result.total / PAGE_SIZE)),
        "url_for_page": url_for_page,
        "csv_url": str(request.app.url_path_for("roster_export"))
        + (f"?{urlencode(active)}" if active else ""),
    }
    return render(request, "roster.html", context)


@router.get("/verify", name="page_verify_lookup")
def verify_lookup(request: Request, code: Annotated[str, Query(max_length=40)] = "") -> Response:
    """The roster page's small form: type a code, land on its verification page."""
    code = service.normalise_code(code)
    if not code:
        return RedirectResponse(str(request.app.url_path_for("page_roster")), status_code=303)
    return RedirectResponse(
        str(request.app.url_path_for("page_verify", marker_code=code)), status_code=303
    )


@router.get("/verify/{marker_code}", name="page_verify")
def verify_page(
    request: Request,
    marker_code: str,
    _limit: PublicRateLimit,
    _user: MaybePageUser,
    session: SessionDep,
) -> Response:
    code = service.normalise_code(marker_code[:40])
    try:
        result = service.verify_marker(session, code, today=local_today())
    except NotFound:
        # Whoever scanned or typed the code needs the verdict, not "page not found".
        shown = code or marker_code[:40].strip()
        return render(request, "verify.html", {"result": None, "code": shown}, status_code=404)
    return render(request, "verify.html", {"result": result, "code": code})


def _roster_filter(session: Session, city_code: str, category: str, q: str) -> service.RosterFilter:
    service.check_city_code(city_code or None)
    service.check_category(session, category or None)
    if _ID_LIKE.search(q):
        message = "请按姓名查询，不要输入身份证号或其他号码。"
        raise InvalidInput(message, errors=[field_error("q", "not_a_name", message)])
    return service.RosterFilter(city_code or None, category or None, q)
