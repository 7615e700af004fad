"""Markers on blue cards (the notice: 在蓝卡中加载): which markers wait for a card, and the
changes the blue-card pool's own system loads onto its cards.

A person's card is their entry in the pool (`blue_card`, matched by ID), else the card
number their city filed. A marker of a person with neither waits (待加载): it is loaded as
soon as the card arrives, by a pool import or a filing, and the export then carries it.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

import openpyxl
from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from app.core.reference import city_names
from app.registry.markers import CHINA_STANDARD_TIME, status_on
from app.registry.models import BlueCard, Marker, Talent

EXPORT_HEADERS = ("card_no", "marker_code", "state", "valid_until")
EXPORT_HEADERS_ZH = ("蓝卡卡号", "标识编码", "状态", "有效期至")


@dataclass(frozen=True)
class WaitingMarker:
    talent_id: uuid.UUID
    name: str
    city_code: str
    city_name: str
    marker_code: str
    valid_until: date


@dataclass(frozen=True)
class CardMarker:
    card_no: str
    marker_code: str
    state: str
    valid_until: date


def _pool_card() -> Subquery:
    """Each person's pool card (the lowest number, should the pool hold two)."""
    return (
        select(
            BlueCard.id_hash,
            func.min(BlueCard.card_no).label("card_no"),
            func.max(BlueCard.updated_at).label("updated_at"),
        )
        .group_by(BlueCard.id_hash)
        .subquery()
    )


def waiting_for_a_card(session: Session) -> list[WaitingMarker]:
    """Talents with a marker but no card: neither in the pool nor named by their filing."""
    pool = _pool_card()
    rows = session.execute(
        select(Talent.id, Talent.name, Talent.city_code, Marker.code, Marker.valid_until)
        .join(Marker, Marker.talent_id == Talent.id)
        .outerjoin(pool, pool.c.id_hash == Talent.id_hash)
        .where(pool.c.card_no.is_(None), Talent.card_no.is_(None))
        .order_by(Talent.city_code, Marker.code)
    )
    names = city_names()
    return [
        WaitingMarker(tid, name, city, names.get(city, city), code, until)
        for tid, name, city, code, until in rows
    ]


def changes_since(session: Session, since: date, today: date) -> list[CardMarker]:
    """Markers on cards whose state, or whose card, changed on or after `since` (China
    time): what the pool's system loads again."""
    start = datetime.combine(since, time.min, tzinfo=CHINA_STANDARD_TIME)
    pool = _pool_card()
    card = func.coalesce(pool.c.card_no, Talent.card_no)
    rows = session.execute(
        select(card, Marker.code, Marker.status, Marker.valid_until)
        .join(Marker, Marker.talent_id == Talent.id)
        .outerjoin(pool, pool.c.id_hash == Talent.id_hash)
        .where(
            card.is_not(None),
            (Marker.changed_at >= start)
            | (pool.c.updated_at >= start)
            | (Talent.updated_at >= start)
            | (Marker.valid_until.between(since, today)),
        )
        .order_by(card)
    )
    return [
        CardMarker(card_no, code, status_on(status, until, today), until)
        for card_no, code, status, until in rows
    ]


def export_csv(items: list[CardMarker]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for item in items:
        writer.writerow((item.card_no, item.marker_code, item.state, item.valid_until.isoformat()))
    return text.getvalue().encode("utf-8")


def export_xlsx(items: list[CardMarker]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("标识变动")
    sheet.append(list(EXPORT_HEADERS))
    for item in items:
        sheet.append([item.card_no, item.marker_code, item.state, item.valid_until])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
