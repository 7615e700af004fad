"""`insert_rows` stores what Core's insert stores, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.bulk_insert import insert_rows
from app.core.db import Base
from app.registry.models import BlueCard, TalentVersion
from tests.lookup.factories import make_talent

CARDS = Base.metadata.tables[BlueCard.__tablename__]
VERSIONS = Base.metadata.tables[TalentVersion.__tablename__]


def _card(card_no: str, **values: Any) -> dict[str, Any]:
    return {
        "card_no": card_no,
        "id_hash": "ab" * 32,
        "id_cipher": "k1:cipher",
        "name": "张三",
        "city_code": "340100",
        "occupation": None,
        "skill_level": "高级工",
        "issued_on": date(2021, 6, 30),
        **values,
    }


def _stored(db: Session, table: Any, *where: Any) -> list[dict[str, Any]]:
    rows = db.execute(select(table).where(*where).order_by(table.c.id)).mappings()
    return [{key: value for key, value in row.items() if key != "id"} for row in rows]


def test_rows_read_back_as_core_s_insert_stores_them(db: Session) -> None:
    talent_id = make_talent(db).talent_id
    at = datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=UTC)
    version = {
        "talent_id": talent_id,
        "version": 2,
        "occurred_at": at,
        "actor": "province:admin",
        "source": "submission",
        "submission_id": uuid.uuid4(),
        "action": "update",
        "reason": None,
        "changes": {"name": ["张三", "张叁"], "honors": [[], [{"year": 2020}]]},
    }
    db.execute(insert(VERSIONS), [version])
    insert_rows(db.connection(), VERSIONS, [{**version, "version": 3}])

    by_core, by_bulk = _stored(db, VERSIONS, VERSIONS.c.talent_id == talent_id)[-2:]
    assert by_bulk == {**by_core, "version": 3}
    assert by_bulk["occurred_at"] == at and by_bulk["changes"] == version["changes"]


def test_a_column_the_rows_leave_out_takes_its_default(db: Session) -> None:
    before = datetime.now(UTC)
    insert_rows(db.connection(), CARDS, [_card("BULK-0001"), _card("BULK-0002")])

    stored = _stored(db, CARDS, CARDS.c.card_no.like("BULK-%"))
    assert [row["card_no"] for row in stored] == ["BULK-0001", "BULK-0002"]
    assert all(row["updated_at"] >= before for row in stored)
    assert stored[0]["id_hash"] == "ab" * 32 and stored[0]["occupation"] is None


def test_a_duplicate_raises_core_s_integrity_error_and_writes_nothing(db: Session) -> None:
    insert_rows(db.connection(), CARDS, [_card("BULK-0003")])

    with pytest.raises(IntegrityError), db.begin_nested():
        insert_rows(db.connection(), CARDS, [_card("BULK-0004"), _card("BULK-0003")])

    stored = _stored(db, CARDS, CARDS.c.card_no.like("BULK-%"))
    assert [row["card_no"] for row in stored] == ["BULK-0003"]


def test_no_rows_is_no_statement(db: Session) -> None:
    insert_rows(db.connection(), CARDS, [])

    assert _stored(db, CARDS, CARDS.c.card_no.like("BULK-%")) == []
