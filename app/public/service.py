"""The published roster (people whose marker is active today) and the public marker check.

Both only read: on SQLite they run as plain read transactions, so public traffic never
queues for the write lock that lookups and filings take.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import segno
from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from app.core.db import READ_ONLY
from app.core.errors import InvalidInput, NotFound, field_error
from app.core.reference import check_code, city_names, codes_of
from app.core.settings import get_settings
from app.public.masking import mask_name
from app.public.schemas import MarkerVerification, RosterItem, RosterPage, SnapshotItem
from app.registry import markers
from app.registry.models import Honor, Marker, Talent

# People per piece of a streamed roster (one query for their honours each).
CHUNK = 1000
_CODE_SHAPE = re.compile(r"[0-9A-Z-]{1,40}")


@dataclass(frozen=True)
class RosterFilter:
    city_code: str | None = None
    category: str | None = None  # a category code, the province's added ones included
    q: str | None = None


def roster_page(
    session: Session, where: RosterFilter, *, today: date, page: int, page_size: int
) -> RosterPage:
    read_only(session)
    condition = _roster_condition(where, today)
    total = session.scalar(select(func.count()).select_from(Talent).join(Marker).where(condition))
    rows = session.execute(
        _roster_select(condition).offset((page - 1) * page_size).limit(page_size)
    ).all()
    items = _roster_items(session, rows)
    return RosterPage(items=items, total=total or 0, page=page, page_size=page_size)


def roster_chunks(
    session: Session, where: RosterFilter, *, today: date
) -> Iterator[list[RosterItem]]:
    """The whole roster, `CHUNK` people at a time, read through a server-side cursor."""
    read_only(session)
    query = _roster_select(_roster_condition(where, today))
    result = session.execute(query, execution_options={"yield_per": CHUNK})
    for rows in result.partitions():
        yield _roster_items(session, rows)


def roster_with_codes(session: Session, *, today: date) -> list[SnapshotItem]:
    """The whole roster, each person with their marker's code (for the signed snapshot)."""
    read_only(session)
    rows = list(session.execute(_roster_select(_roster_condition(RosterFilter(), today))))
    return [
        SnapshotItem(**item.model_dump(), marker_code=row.code)
        for item, row in zip(_roster_items(session, rows), rows, strict=True)
    ]


def verify_marker(session: Session, code: str, *, today: date) -> MarkerVerification:
    read_only(session)
    row = session.execute(
        select(Talent.id, Talent.name, Talent.city_code, Marker.status, Marker.valid_until)
        .join(Marker, Marker.talent_id == Talent.id)
        .where(Marker.code == normalise_code(code))
    ).first()
    if row is None:
        raise NotFound("未找到该标识编码：它从未签发过。")
    return MarkerVerification(
        valid=markers.grants_priority(row.status, row.valid_until, today),
        name_masked=mask_name(row.name),
        city_name=city_names().get(row.city_code, row.city_code),
        categories=_categories_of(session, [row.id])[row.id],
        valid_until=row.valid_until,
    )


def verification_qr_png(session: Session, code: str, *, served_at: str) -> bytes:
    """A QR code of the marker's public verification page, for printing on the card."""
    read_only(session)
    issued = session.scalar(select(Marker.code).where(Marker.code == normalise_code(code)))
    if issued is None:
        raise NotFound("未找到该标识编码：它从未签发过。")
    return qr_png(verification_url(issued, served_at=served_at))


def verification_url(code: str, *, served_at: str) -> str:
    """The public verification page of an issued marker code: what its QR code holds. It is
    under BLUECARD_PUBLIC_BASE_URL if set, else under `served_at` (the request's base URL),
    so a demo on any port prints codes that lead back to it."""
    base = get_settings().public_base_url or served_at
    return f"{base.rstrip('/')}/verify/{quote(code)}"


def qr_png(text: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def normalise_code(code: str) -> str:
    """Upper case, trimmed; anything that cannot be a marker code becomes "" (never issued)."""
    code = code.strip().upper()
    return code if _CODE_SHAPE.fullmatch(code) else ""


def check_city_code(city_code: str | None) -> None:
    if city_code is not None and city_code not in city_names():
        message = "城市代码不是本省16个市之一。"
        raise InvalidInput(message, errors=[field_error("city_code", "invalid_city", message)])


def check_category(session: Session, category: str | None) -> None:
    if category is not None:
        read_only(session)
        check_code(session.connection(), "categories", category, field="category", label="人才类别")


def read_only(session: Session) -> None:
    """Start the transaction as a plain read (SQLite: no write lock), unless one is open."""
    if not session.in_transaction():
        session.connection(execution_options={READ_ONLY: True})


def _roster_condition(where: RosterFilter, today: date) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [
        markers.active_on(today),
    ]
    if where.city_code:
        clauses.append(Talent.city_code == where.city_code)
    if where.category:
        clauses.append(
            exists().where(Honor.talent_id == Talent.id, Honor.category == where.category)
        )
    if where.q:
        clauses.append(Talent.name.contains(where.q, autoescape=True))
    return and_(*clauses)


def _roster_select(condition: ColumnElement[bool]) -> Any:
    return (
        select(
            Talent.id,
            Talent.name,
            Talent.gender,
            Talent.city_code,
            Talent.employer,
            Talent.occupation,
            Talent.filed_on,
            Marker.code,
        )
        .join(Marker, Marker.talent_id == Talent.id)
        .where(condition)
        .order_by(Talent.city_code, Talent.name, Talent.id)
    )


def _roster_items(session: Session, rows: Iterable[Any]) -> list[RosterItem]:
    rows = list(rows)
    categories = _categories_of(session, [row.id for row in rows])
    cities = city_names()
    return [
        RosterItem(
            name=row.name,
            gender=row.gender,
            city_code=row.city_code,
            city_name=cities.get(row.city_code, row.city_code),
            employer=row.employer,
            occupation=row.occupation,
            categories=categories[row.id],
            filed_on=row.filed_on,
        )
        for row in rows
    ]


def _categories_of(session: Session, talent_ids: list[Any]) -> dict[Any, list[str]]:
    """Each talent's distinct honour categories in the list's order: the notice's, then
    those the province added."""
    rows = codes_of(session.connection(), "categories")
    order = {row.code: position for position, row in enumerate(rows)}
    found: dict[Any, set[str]] = defaultdict(set)
    for start in range(0, len(talent_ids), 1000):
        chunk = talent_ids[start : start + 1000]
        for talent_id, category in session.execute(
            select(Honor.talent_id, Honor.category).where(Honor.talent_id.in_(chunk))
        ):
            if category in order:
                found[talent_id].add(category)
    return defaultdict(
        list, {key: sorted(value, key=order.__getitem__) for key, value in found.items()}
    )
