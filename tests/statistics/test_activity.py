"""Figures of the register's use (lookups, assistance, studios), checked against the data
filed in the test."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.assistance.models import AssistanceCase
from app.lookup.models import LookupRecord
from app.registry.markers import local_today
from app.registry.models import Talent
from app.studios.models import Studio
from tests.duties_factories import make_talent
from tests.lookup.test_batch import lookups
from tests.lookup.test_lookup import ALL_SCOPES, lookup
from tests.studios.test_models import application

HEFEI, WUHU = "340100", "340200"


def _get(client: TestClient, name: str, headers: dict[str, str]) -> Any:
    response = client.get(client.app.url_path_for(name), headers=headers)  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    return response.json()


def _id_number(talent: Talent) -> str:
    from app.core.keys import get_keyring

    return get_keyring().decrypt(talent.id_cipher, context="talent.id_number")


def test_lookups_per_month_by_partner_service_and_outcome(
    client: TestClient, db: Session, login: Callable[..., Any], partner_login: Callable[..., Any]
) -> None:
    hefei = make_talent(db, city_code=HEFEI)
    wuhu = make_talent(db, city_code=WUHU, marker="suspended")
    db.commit()
    partner = partner_login(ALL_SCOPES)
    lookup(client, partner.headers, id_number=_id_number(hefei))
    lookup(client, partner.headers, id_number=_id_number(hefei), service="medical")
    lookup(client, partner.headers, id_number=_id_number(wuhu))
    # A batch is journalled first and expanded later: it counts all the same.
    batch = lookups(
        client, partner.headers, [_id_number(hefei), "110101199003077777"], service="education"
    )
    assert batch.status_code == 200, batch.text
    # An older lookup, and a read of a person (no service) that is not a lookup at all.
    old = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 2026-01-01 00:30 in China
    for service in ("housing", None):
        db.add(
            LookupRecord(
                occurred_at=old,
                caller_kind="partner",
                caller_id=partner.partner_id,
                caller_name=partner.name,
                service=service,
                purpose="核查",
                query_kind="id_number",
                subject_hash=hefei.id_hash,
                outcome="priority",
            )
        )
    db.commit()
    month = local_today().strftime("%Y-%m")

    items = _get(client, "statistics_lookups", login("province_admin").headers)["items"]
    got = {(i["month"], i["caller_name"], i["service"], i["outcome"]): i["count"] for i in items}
    assert got == {
        ("2026-01", partner.name, "housing", "priority"): 1,
        (month, partner.name, "housing", "priority"): 1,
        (month, partner.name, "housing", "no_priority"): 1,
        (month, partner.name, "education", "priority"): 1,
        (month, partner.name, "education", "invalid"): 1,
        (month, partner.name, "medical", "priority"): 1,
    }

    items = _get(client, "statistics_lookups", login("city_operator", WUHU).headers)["items"]
    assert [(i["month"], i["service"], i["outcome"], i["count"]) for i in items] == [
        (month, "housing", "no_priority", 1)
    ]


def test_assistance_and_studios_by_city_status_and_batch_year(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talents = [make_talent(db, city_code=c) for c in (HEFEI, HEFEI, WUHU)]
    for talent, status in zip(talents, ("open", "closed", "open"), strict=True):
        db.add(
            AssistanceCase(
                talent=talent,
                city_code=talent.city_code,
                employer=talent.employer,
                situation="配偶失业",
                measures="职业介绍",
                status=status,
                opened_on=date(2026, 3, 1),
                opened_by="test",
                closed_on=date(2026, 4, 1) if status == "closed" else None,
            )
        )
    db.add(application(talents[0], "submitted"))
    db.add(application(talents[2], "rejected"))
    for talent, year in ((talents[1], 2024), (talents[2], 2025)):
        approved = application(talent, "approved")
        db.add(approved)
        db.add(
            Studio(
                id=uuid.uuid4(),
                application=approved,
                talent=talent,
                city_code=talent.city_code,
                project_type=approved.project_type,
                name="技能大师工作室",
                host_employer=talent.employer,
                batch_year=year,
                established_on=date(year, 6, 1),
            )
        )
    db.commit()

    province = _get(client, "statistics_activity", login("auditor").headers)
    assert province == {
        "assistance_by_city": {HEFEI: {"open": 1, "closed": 1}, WUHU: {"open": 1}},
        "applications_by_status": {"submitted": 1, "rejected": 1, "approved": 2},
        "studios_by_batch_year": {"2024": 1, "2025": 1},
    }
    wuhu = _get(client, "statistics_activity", login("city_operator", WUHU).headers)
    assert wuhu == {
        "assistance_by_city": {WUHU: {"open": 1}},
        "applications_by_status": {"rejected": 1, "approved": 1},
        "studios_by_batch_year": {"2025": 1},
    }
