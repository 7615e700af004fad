"""Loading the blue-card pool (技工蓝卡资源库) the markers are loaded onto.

Most card holders are not leading talents; the pool is the base ledger. Rows are checked
one by one (errors go to a report, with masked ID numbers) and written in batches: one
select finds which card numbers exist, then one bulk insert (`core.bulk_insert`) and one
executemany update. A re-import updates changed rows and leaves the rest alone. A talent's
card is found through the blind index (`Talent.cards`), so nothing else needs writing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    Table,
    any_,
    bindparam,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import Actor
from app.core.bulk_insert import insert_rows
from app.core.crypto import KeyRing
from app.core.db import Base, roomy_page_cache
from app.core.free_text import TextError, check_free_text
from app.core.keys import get_keyring
from app.core.reference import city_names
from app.core.types import utcnow
from app.registry.codes import SKILL_LEVEL_ZH
from app.registry.identifiers import InvalidIdNumber, mask_id_number, validate_id_number
from app.registry.models import BlueCard
from app.registry.records import CARD_ID_CONTEXT

BATCH_SIZE = 5000
_CARD_NO = re.compile(r"[0-9A-Z-]{4,32}")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SKILL_WORDS = {zh: level.value for level, zh in SKILL_LEVEL_ZH.items()}
_TABLE: Table = Base.metadata.tables[BlueCard.__tablename__]


class CardRow(NamedTuple):  # a tuple: built once per row of a million-row file
    card_no: str
    id_number: str
    name: str
    city_code: str
    occupation: str | None
    skill_level: str | None
    issued_on: date | None


@dataclass(frozen=True)
class CardError:
    row: int
    field: str
    code: str
    message: str


@dataclass
class ImportCounts:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0  # rows rejected


def import_cards(
    session: Session,
    actor: Actor,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    today: date,
    source: str,
    on_error: Callable[[CardError], None] = lambda _error: None,
    on_progress: Callable[[int], object] = lambda _rows: None,
    batch_size: int = BATCH_SIZE,
) -> ImportCounts:
    """Check and upsert every row by card number; one audit event for the whole import."""
    keyring = get_keyring()  # on an empty registry, stored before this transaction begins
    with roomy_page_cache(session.connection()):
        counts = _import(session, keyring, rows, today, on_error, on_progress, batch_size)
    audit.record(
        session,
        actor,
        "cards.import",
        f"cards:{source}"[:200],
        {
            "rows": counts.rows,
            "inserted": counts.inserted,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "errors": counts.errors,
        },
    )
    return counts


def _import(
    session: Session,
    keyring: KeyRing,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    today: date,
    on_error: Callable[[CardError], None],
    on_progress: Callable[[int], object],
    batch_size: int,
) -> ImportCounts:
    counts = ImportCounts()
    seen: dict[str, int] = {}
    batch: list[CardRow] = []
    for row_no, raw in rows:
        counts.rows += 1
        card, errors = parse_card(row_no, raw, today)
        if card is not None and card.card_no in seen:
            message = f"蓝卡卡号与第{seen[card.card_no]}行重复"
            errors, card = [CardError(row_no, "card_no", "duplicate_in_file", message)], None
        for error in errors:
            on_error(error)
        if card is None:
            counts.errors += 1
        else:
            seen[card.card_no] = row_no
            batch.append(card)
        if len(batch) >= batch_size:
            _write_batch(session, keyring, batch, counts)
            on_progress(len(batch))
            batch = []
    _write_batch(session, keyring, batch, counts)
    on_progress(len(batch))
    return counts


def parse_card(
    row_no: int, raw: Mapping[str, Any], today: date
) -> tuple[CardRow | None, list[CardError]]:
    """A checked row, or the reasons it is rejected (ID numbers masked)."""
    errors: list[CardError] = []

    def fail(field: str, code: str, message: str) -> None:
        errors.append(CardError(row_no, field, code, message))

    card_no = _text(raw.get("card_no")).upper()
    if not card_no:
        fail("card_no", "required", "缺少蓝卡卡号")
    elif not _CARD_NO.fullmatch(card_no):
        fail("card_no", "invalid_card_no", "蓝卡卡号应为4至32位字母、数字或连字符")
    id_number = _text(raw.get("id_number"))
    if not id_number:
        fail("id_number", "required", "缺少身份证号")
    else:
        try:
            id_number = validate_id_number(id_number, today=today)
        except InvalidIdNumber as exc:
            fail(
                "id_number",
                exc.code,
                f"身份证号 {mask_id_number(id_number)} 有误：{exc.message_zh}",
            )
    name = _text(raw.get("name"))
    if not name or len(name) > 50:
        fail("name", "invalid_name", "姓名不能为空，且不超过50个字")
    city_code = _city_code(_text(raw.get("city")))
    if city_code is None:
        fail("city", "invalid_city", "所属市应为本省16个市之一（市名或6位行政区划代码）")
    occupation = _text(raw.get("occupation")) or None
    if occupation is not None and len(occupation) > 100:
        fail("occupation", "too_long", "职业工种不超过100个字")
    skill = _text(raw.get("skill_level"))
    skill_level = _SKILL_WORDS.get(skill, skill) or None
    if skill_level is not None and len(skill_level) > 32:
        fail("skill_level", "too_long", "技能等级不超过32个字")
    for field, label, text in (
        ("name", "姓名", name),
        ("occupation", "职业工种", occupation),
        ("skill_level", "技能等级", skill_level),
    ):
        try:
            check_free_text(text or "")
        except TextError as exc:
            fail(field, exc.code, label + exc.message_zh)
    try:
        issued_on = _issued_on(raw.get("issued_on"), today)
    except ValueError:
        issued_on = None
        fail("issued_on", "invalid_date", "发卡日期应为不晚于今天的日期，如 2020-05-01")
    if errors or city_code is None:
        return None, errors
    row = CardRow(card_no, id_number, name, city_code, occupation, skill_level, issued_on)
    return row, []


def _write_batch(
    session: Session, keyring: KeyRing, batch: list[CardRow], counts: ImportCounts
) -> None:
    if not batch:
        return
    t = _TABLE.c
    stored = {
        row.card_no: row
        for row in session.execute(
            select(
                t.card_no, t.id, t.id_hash, t.name, t.city_code, t.occupation, t.skill_level,
                t.issued_on,
            ).where(_among(session, t.card_no, [card.card_no for card in batch]))
        )
    }  # fmt: skip
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for card in batch:
        id_hash = keyring.blind_index(card.id_number)
        values = {
            "card_no": card.card_no,
            "id_hash": id_hash,
            "name": card.name,
            "city_code": card.city_code,
            "occupation": card.occupation,
            "skill_level": card.skill_level,
            "issued_on": card.issued_on,
        }
        old = stored.get(card.card_no)
        if old is not None and all(getattr(old, key) == value for key, value in values.items()):
            counts.unchanged += 1
            continue
        values["id_cipher"] = keyring.encrypt(card.id_number, context=CARD_ID_CONTEXT)
        values["updated_at"] = now
        if old is None:
            inserts.append(values)
        else:
            del values["card_no"]  # found by it: not to be set again
            updates.append({"card_id": old.id, **values})
    if inserts:
        insert_rows(session.connection(), _TABLE, inserts)
        counts.inserted += len(inserts)
    if updates:
        session.execute(update(_TABLE).where(t.id == bindparam("card_id")), updates)
        counts.updated += len(updates)


def _among(session: Session, column: Any, values: list[str]) -> ColumnElement[bool]:
    """`column IN values` with the values as one parameter, not one each: rendering and
    sending 5000 parameters took a third of the client's CPU time of a first load on
    PostgreSQL (`= ANY(array)`), and a tenth on SQLite (`IN json_each(...)`)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(String)))  # type: ignore[no-any-return]
    each = func.json_each(json.dumps(values)).table_valued("value")
    return column.in_(select(each.c.value))  # type: ignore[no-any-return]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a spreadsheet cell
    return str(value).strip()


def _city_code(value: str) -> str | None:
    cities = city_names()
    if value in cities:
        return value
    for code, name in cities.items():
        if value in (name, name.removesuffix("市")):
            return code
    return None


def _issued_on(value: Any, today: date) -> date | None:
    """The date, or None when blank; ValueError when unreadable or in the future."""
    if isinstance(value, datetime):
        issued: date = value.date()
    elif isinstance(value, date):
        issued = value
    else:
        text = _text(value)
        if not text:
            return None
        issued = _date_of(text)
    if issued > today:
        raise ValueError("in the future")
    return issued


def _date_of(text: str) -> date:
    if len(text) == 10 and text.isascii() and text[4] == text[7] == "-":
        return date.fromisoformat(text)  # 2020-05-01, as exports write it: parsed in C
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        raise ValueError("not a date")
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)
