"""Reading the registry: the filtered, cursor-paginated list and one record for its detail.

The city wall is applied here for lists (a city operator's query is limited to their city)
and in `deps.valid_talent` for single records.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from app.access.auth import Principal
from app.core.errors import InvalidInput, field_error
from app.core.paging import Page, paginate
from app.registry import markers
from app.registry.codes import MarkerStatus
from app.registry.models import Honor, Marker, Talent


@dataclass(frozen=True)
class TalentFilters:
    city_code: str | None = None
    category: str | None = None
    marker_status: str | None = None  # one of MarkerStatus, or `none` for no marker
    name: str | None = None  # matches anywhere in the name, so also as a prefix
    status: str | None = None  # filed | retired


@dataclass(frozen=True)
class TalentSlice:
    items: Sequence[Talent]
    next_cursor: str | None


def list_talents(
    session: Session,
    caller: Principal,
    filters: TalentFilters,
    *,
    cursor: str | None,
    limit: int,
    today: date,
) -> TalentSlice:
    """Records ordered by (name, id); `cursor` continues after the last item of a page."""
    query = _filtered(select(Talent), caller, filters, today)
    if cursor is not None:
        name, talent_id = _decode_cursor(cursor)
        query = query.where(
            or_(Talent.name > name, and_(Talent.name == name, Talent.id > talent_id))
        )
    rows = session.scalars(
        query.options(selectinload(Talent.honors), selectinload(Talent.marker))
        .order_by(Talent.name, Talent.id)
        .limit(limit + 1)
    ).all()
    if len(rows) <= limit:
        return TalentSlice(rows, None)
    last = rows[limit - 1]
    return TalentSlice(rows[:limit], _encode_cursor(last.name, last.id))


def talent_page(
    session: Session,
    caller: Principal,
    filters: TalentFilters,
    *,
    page: int,
    page_size: int,
    today: date,
) -> Page[Talent]:
    """One numbered page of the same list, ordered by (name, id), with the total: for
    people paging through it and for exports; the API pages by cursor instead."""
    query = (
        _filtered(select(Talent), caller, filters, today)
        .options(selectinload(Talent.honors), selectinload(Talent.marker))
        .order_by(Talent.name, Talent.id)
    )
    return paginate(session, query, page=page, page_size=page_size)


def load_talent(session: Session, talent_id: uuid.UUID) -> Talent | None:
    """One record with everything its detail shows."""
    return session.get(
        Talent,
        talent_id,
        options=[
            selectinload(Talent.honors),
            selectinload(Talent.dependents),
            selectinload(Talent.marker),
            selectinload(Talent.cards),
        ],
    )


def _filtered(
    query: Select[Talent], caller: Principal, filters: TalentFilters, today: date
) -> Select[Talent]:
    query = query.where(caller.city_filter(Talent.city_code))
    if filters.city_code:
        query = query.where(Talent.city_code == filters.city_code)
    if filters.status:
        query = query.where(Talent.status == filters.status)
    if filters.name:
        query = query.where(Talent.name.contains(filters.name, autoescape=True))
    if filters.category:
        query = query.where(Talent.honors.any(Honor.category == filters.category))
    if filters.marker_status:
        query = query.where(_marker_condition(filters.marker_status, today))
    return query


def _marker_condition(status: str, today: date) -> ColumnElement[bool]:
    if status == "none":
        return ~Talent.marker.has()
    if status == MarkerStatus.active:
        return Talent.marker.has(markers.active_on(today))
    if status == MarkerStatus.expired:
        return Talent.marker.has(
            and_(Marker.status == MarkerStatus.active.value, Marker.valid_until < today)
        )
    return Talent.marker.has(Marker.status == status)


def _encode_cursor(name: str, talent_id: uuid.UUID) -> str:
    raw = json.dumps([name, str(talent_id)], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode_cursor(cursor: str) -> tuple[str, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, talent_id = json.loads(raw)
        return str(name), uuid.UUID(str(talent_id))
    except (binascii.Error, ValueError, TypeError) as exc:
        message = "分页游标无效，请从第一页重新获取"
        raise InvalidInput(
            message,
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid_cursor", message)],
        ) from exc
