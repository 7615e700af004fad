"""The review list of cities with assistance records open for more than six months."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.assistance import service
from app.assistance.schemas import CaseCreate
from app.registry.markers import local_today
from tests.duties_factories import make_talent


def _open_case(db: Session, city_code: str, opened_on: date) -> None:
    operator = Principal(
        kind="user", id=uuid.uuid4(), name="op", role="city_operator", city_code=city_code
    )
    talent = make_talent(db, city_code=city_code)
    data = CaseCreate(talent_id=talent.id, situation="企业停产", measures="协调转岗")
    service.open_case(db, operator, data, today=opened_on)


def test_cities_with_assistance_open_over_six_months_are_listed_and_exported(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    today = local_today()
    _open_case(db, "340200", today - timedelta(days=200))
    _open_case(db, "340200", today - timedelta(days=10))
    _open_case(db, "340300", today - timedelta(days=100))
    db.commit()
    headers = login("auditor").headers
    db.commit()

    def get(route: str) -> Any:
        return client.get(client.app.url_path_for(route), headers=headers)  # type: ignore[attr-defined]

    listed = get("page_lingering_assistance")
    assert listed.status_code == 200
    assert "芜湖市" in listed.text and "蚌埠市" not in listed.text
    sheet = openpyxl.load_workbook(io.BytesIO(get("page_lingering_assistance_xlsx").content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1:] == [
        ("设区市", "在办帮扶记录", "最早建档日期"),
        ("芜湖市", 2, (today - timedelta(days=200)).isoformat()),
    ]
    counts = get("page_review_lists").text
    assert '<li class="bad" data-list="assistance"><strong>1</strong>' in counts
