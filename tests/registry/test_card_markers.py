"""Markers on blue cards: a marker without a card waits (待加载) until the card arrives; the
province exports the changes since a date for the blue-card pool's own system."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.registry.markers import local_today
from app.registry.models import Talent
from tests.lookup.factories import make_card, make_talent


def _without_card(db: Session) -> Any:
    person = make_talent(db)
    talent = db.get(Talent, person.talent_id)
    assert talent is not None
    talent.card_no = None
    db.commit()
    return person


def _export(client: TestClient, headers: dict[str, str], fmt: str = "csv") -> Any:
    since = (local_today() - timedelta(days=1)).isoformat()
    return client.get(
        "/api/v1/markers/changes", params={"since": since, "format": fmt}, headers=headers
    )


def test_a_marker_waits_for_its_card_and_is_exported_once_the_pool_has_it(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    admin = login("province_admin").headers
    db.commit()
    waiting = _without_card(db)
    carded = make_talent(db)
    db.commit()

    listed = client.get("/api/v1/markers/waiting", headers=admin).json()
    assert [(i["marker_code"], i["state"]) for i in listed] == [
        (waiting.marker_code, "waiting_for_card")
    ]
    rows = list(csv.reader(io.StringIO(_export(client, admin).text)))
    assert rows[0] == ["card_no", "marker_code", "state", "valid_until"]
    assert [r[:3] for r in rows[1:]] == [[carded.card_no, carded.marker_code, "active"]]

    card = make_card(db, waiting.id_number, name=waiting.name)  # the pool import brings it
    db.commit()

    assert client.get("/api/v1/markers/waiting", headers=admin).json() == []
    exported = {r[1]: r for r in csv.reader(io.StringIO(_export(client, admin).text))}
    assert exported[waiting.marker_code][:3] == [card.card_no, waiting.marker_code, "active"]


def test_the_export_is_also_a_workbook_and_for_the_province_only(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    admin = login("province_admin").headers
    operator = login("city_operator", "340100").headers
    db.commit()
    carded = make_talent(db)
    db.commit()

    response = _export(client, admin, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[1][:3] == [carded.card_no, carded.marker_code, "active"]
    assert _export(client, operator).status_code == 403
    future = (local_today() + timedelta(days=2)).isoformat()
    late = client.get("/api/v1/markers/changes", params={"since": future}, headers=admin)
    assert late.status_code == 422
