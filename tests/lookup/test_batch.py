"""POST /api/v1/priority/lookups: one answer per input, in order; bad entries don't fail it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lookup.journal import expand_pending
from app.lookup.models import LookupJournal, LookupRecord
from app.registry.identifiers import mask_id_number
from app.registry.markers import local_today
from tests.lookup.factories import make_talent, new_id_number


def lookups(client: TestClient, headers: dict[str, str], numbers: list[str], **body: Any) -> Any:
    body.setdefault("service", "education")
    body.setdefault("purpose", "入学资格审核 2026 秋季")
    body["id_numbers"] = numbers
    return client.post(client.app.url_path_for("priority_lookups"), json=body, headers=headers)  # type: ignore[attr-defined]


def test_batch_answers_in_input_order_with_invalid_entries(  # type: ignore[no-untyped-def]
    client, db: Session, partner_login
) -> None:
    holder = make_talent(db, dependents=("child",))
    suspended = make_talent(db, marker="suspended")
    expired = make_talent(db, valid_until=local_today() - timedelta(days=1))
    unknown = new_id_number()
    bad_check = holder.id_number[:-1] + ("0" if holder.id_number[-1] != "0" else "1")
    numbers = [
        unknown,
        holder.id_number,
        bad_check,
        suspended.id_number,
        holder.dependents[0].id_number,
        "12345",
        expired.id_number,
        holder.id_number.lower(),
    ]
    headers = partner_login(["priority:education"]).headers
    response = lookups(client, headers, numbers)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id_number_masked"] for r in results] == [mask_id_number(n) for n in numbers]
    negative = {"priority": False, "service": "education", "basis": None, "marker": None}
    invalid = {"error": {"code": "invalid_id_number", "message": "身份证号码格式或校验位不正确"}}
    marker = {"code": holder.marker_code, "valid_until": results[1]["marker"]["valid_until"]}
    expected = [
        negative,
        {"priority": True, "service": "education", "basis": "holder", "marker": marker},
        invalid,
        negative,
        {"priority": True, "service": "education", "basis": "dependent", "marker": marker},
        invalid,
        negative,
        {"priority": True, "service": "education", "basis": "holder", "marker": marker},
    ]
    assert [{k: v for k, v in r.items() if k != "id_number_masked"} for r in results] == expected
    for number in numbers:
        assert number not in response.text


def test_batch_shows_people_to_disclosing_callers_only(  # type: ignore[no-untyped-def]
    client, db: Session, partner_login
) -> None:
    holder = make_talent(db)
    unknown = new_id_number()
    headers = partner_login(["priority:education"], disclose_person=True).headers
    results = lookups(client, headers, [holder.id_number, unknown, "x"])
    first, second, third = results.json()["results"]
    assert first["person"] == {
        "name": holder.name,
        "id_number_masked": mask_id_number(holder.id_number),
    }
    assert second["person"] is None
    assert "person" not in third


def test_batch_refuses_a_service_outside_the_partners_scopes(  # type: ignore[no-untyped-def]
    client, db: Session, partner_login
) -> None:
    headers = partner_login(["priority:education"]).headers
    response = lookups(client, headers, [new_id_number()], service="hukou")
    assert response.status_code == 403


def test_every_batch_entry_is_recorded_with_one_shared_batch_id(  # type: ignore[no-untyped-def]
    client, db: Session, partner_login
) -> None:
    holder = make_talent(db)
    partner = partner_login(["priority:education"])
    numbers = [holder.id_number, new_id_number(), "bad", holder.id_number]
    assert lookups(client, partner.headers, numbers, purpose="批量核验").status_code == 200
    # Answered means recorded: the batch is in the journal, one row, until it is expanded.
    [journal_row] = db.scalars(select(LookupJournal)).all()
    assert len(json.loads(journal_row.entries)) == 4
    expand_pending(db.connection())
    assert db.scalars(select(LookupJournal)).all() == []
    records = db.scalars(
        select(LookupRecord).where(LookupRecord.caller_id == partner.partner_id)
    ).all()
    assert len(records) == 4 and len({r.id for r in records}) == 4
    assert len({r.batch_id for r in records}) == 1 and records[0].batch_id == journal_row.id
    assert sorted(r.outcome for r in records) == [
        "invalid",
        "no_priority",
        "priority",
        "priority",
    ]
    for record in records:
        assert (record.caller_kind, record.caller_name) == ("partner", partner.name)
        assert (record.service, record.purpose, record.query_kind) == (
            "education",
            "批量核验",
            "id_number",
        )
        assert (record.subject_hash is None) == (record.outcome == "invalid")


@pytest.mark.parametrize("count", [0, 1001])
def test_batch_size_must_be_1_to_1000(client, partner_login, count: int) -> None:  # type: ignore[no-untyped-def]
    headers = partner_login(["priority:education"]).headers
    numbers = [new_id_number() for _ in range(count)]
    response = lookups(client, headers, numbers)
    assert response.status_code == 422


def test_full_batch_of_1000_is_answered(client, db: Session, partner_login) -> None:  # type: ignore[no-untyped-def]
    holders = [make_talent(db) for _ in range(5)]
    numbers = [new_id_number() for _ in range(995)] + [h.id_number for h in holders]
    response = lookups(client, partner_login(["priority:education"]).headers, numbers)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1000
    assert [r["priority"] for r in results[-5:]] == [True] * 5
    assert not any(r["priority"] for r in results[:995])
