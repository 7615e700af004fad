"""What the duties' pages share: gates, form errors in Chinese, page numbers, finding a talent."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.access.codes import Role
from app.core.errors import AppError, InvalidInput, field_error
from app.core.keys import get_keyring
from app.lookup import reads
from app.pages.errors import first_form_message
from app.pages.session import page_gate
from app.registry import queries
from app.registry.identifiers import InvalidIdNumber, mask_id_number, validate_id_number
from app.registry.markers import effective_status
from app.registry.models import Talent
from app.registry.records import TALENT_ID_CONTEXT

PAGE_SIZE = 30
MAX_PICKS = 20
_NONE_FOUND = "没有找到符合条件的人才记录。"

Reader = Annotated[
    Principal, Depends(page_gate(Role.province_admin, Role.city_operator, Role.auditor))
]
ProvinceReader = Annotated[Principal, Depends(page_gate(Role.province_admin, Role.auditor))]
Admin = Annotated[Principal, Depends(page_gate(Role.province_admin))]
CityUser = Annotated[Principal, Depends(page_gate(Role.city_operator))]


def refusal_of(exc: ValidationError | AppError, labels: dict[str, str]) -> tuple[str, int]:
    """A refused form's message and status: a schema's in Chinese by label, a service's own."""
    if isinstance(exc, ValidationError):
        return first_form_message(exc, labels), 422
    return exc.detail, exc.status


def pages_of(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / page_size))


def page_link(base: str, **params: object) -> Callable[[int], str]:
    """A function giving the URL of page n of the list at `base`, keeping its other filters."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}

    def url(page: int) -> str:
        return f"{base}?{urlencode({**kept, 'page': page})}"

    return url


def find_talents(
    session: Session, viewer: Principal, query: str, today: date, *, purpose: str
) -> list[Talent]:
    """Talents matching an ID number exactly (a recorded read, `reads`) or a name (city
    operators, own city)."""
    text = query.strip()
    if not text:
        return []
    if any(ch.isdigit() for ch in text):
        try:
            number = validate_id_number(text, today=today)
        except InvalidIdNumber as exc:
            errors = [field_error("q", exc.code, exc.message_zh)]
            raise InvalidInput(exc.message_zh, errors=errors) from None
        found = reads.find_by_id_number(session, viewer, number, purpose=purpose, today=today)
        return [found] if found is not None else []
    if viewer.role != Role.city_operator:
        message = "请输入申请人的身份证号查找。"
        raise InvalidInput(message, errors=[field_error("q", "id_number_required", message)])
    filters = queries.TalentFilters(name=text, status="filed")
    return list(
        queries.list_talents(
            session, viewer, filters, cursor=None, limit=MAX_PICKS, today=today
        ).items
    )


def talent_search(
    session: Session,
    viewer: Principal,
    q: str,
    today: date,
    *,
    purpose: str,
    refused: str = "",
) -> dict[str, object]:
    """The search box's results for a form page; an ID number typed in is never shown back.
    A refused search raises; the form is then shown again with the reason as `refused`.
    `not_found` is what the page says when nobody is shown."""
    context: dict[str, object] = {
        "q": "" if any(ch.isdigit() for ch in q) else q,
        "matches": [],
        "searched": bool(q.strip() or refused),
        "search_error": refused,
        "not_found": _NONE_FOUND if reads.administers(viewer) else reads.NOT_FOUND_MESSAGE,
    }
    if not refused:
        found = find_talents(session, viewer, q, today, purpose=purpose)
        context["matches"] = [talent_choice(t, today) for t in found]
    return context


def talent_choice(talent: Talent, today: date) -> dict[str, object]:
    """What a clerk sees to pick a talent (`reads` decides whom): never the full ID number."""
    number = get_keyring().decrypt(talent.id_cipher, context=TALENT_ID_CONTEXT)
    return {
        "id": talent.id,
        "name": talent.name,
        "city_code": talent.city_code,
        "employer": talent.employer,
        "employer_uscc": talent.employer_uscc or "",
        "id_number_masked": mask_id_number(number),
        "marker_status": effective_status(talent.marker, today) if talent.marker else None,
    }
