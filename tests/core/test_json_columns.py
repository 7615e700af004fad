"""JSON columns store compact UTF-8 text, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.core.db import Base
from app.registry.models import TalentVersion
from tests.databases import is_postgres
from tests.lookup.factories import make_talent

VERSIONS = Base.metadata.tables[TalentVersion.__tablename__]


def _store(db: Session, changes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The text the database holds for `changes`, and what reads back."""
    talent_id = make_talent(db).talent_id
    row = {
        "talent_id": talent_id,
        "version": 2,
        "actor": "province:admin",
        "source": "admin",
        "action": "update",
        "changes": changes,
    }
    db.execute(insert(VERSIONS), [row])
    cast = "changes::text" if is_postgres() else "changes"
    where = {"t": talent_id if is_postgres() else talent_id.hex}
    stored = db.execute(
        text(f"SELECT {cast} FROM talent_version WHERE talent_id = :t AND version = 2"), where
    ).scalar_one()
    read = db.execute(
        select(VERSIONS.c.changes).where(VERSIONS.c.talent_id == talent_id, VERSIONS.c.version == 2)
    ).scalar_one()
    return stored, read


def test_chinese_text_is_stored_as_itself_without_padding(db: Session) -> None:
    changes = {
        "name": ["张三", "张叁"],
        "honors": [None, [{"year": 2020, "title": "全国劳动模范"}]],
    }

    stored, read = _store(db, changes)

    assert read == changes
    assert "张叁" in stored and "\\u" not in stored
    if not is_postgres():  # PostgreSQL's jsonb prints its own spacing
        assert stored == json.dumps(changes, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("number", [2**64, -(2**70)], ids=["past_64_bits", "negative"])
def test_a_number_past_64_bits_is_still_stored(db: Session, number: int) -> None:
    stored, read = _store(db, {"count": [None, number]})

    assert read == {"count": [None, number]}
    assert str(number) in stored
