"""Every lookup is recorded before its answer leaves, and no ID number is kept or logged."""

from __future__ import annotations

import json
import logging
import re
import uuid

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.core.logging import JsonFormatter
from app.lookup.models import LookupRecord
from tests.lookup.factories import make_talent, new_id_number
from tests.lookup.test_batch import lookups
from tests.lookup.test_lookup import ALL_SCOPES, lookup

ID_LIKE = re.compile(r"\d{17}[\dXx]")


def test_single_lookup_is_recorded_with_caller_purpose_and_outcome(  # type: ignore[no-untyped-def]
    client, db: Session, login
) -> None:
    person = make_talent(db)
    clerk = login("window_clerk")
    response = lookup(client, clerk.headers, id_number=person.id_number, purpose="窗口办理 A-17")
    record = db.get(LookupRecord, uuid.UUID(response.json()["lookup_id"]))
    assert record is not None
    assert (record.caller_kind, record.caller_name) == ("user", clerk.username)
    assert (record.service, record.purpose, record.query_kind) == (
        "housing",
        "窗口办理 A-17",
        "id_number",
    )
    assert (record.outcome, record.basis, record.batch_id) == ("priority", "holder", None)
    assert record.subject_hash == get_keyring().blind_index(person.id_number)


def test_negative_and_card_lookups_are_recorded_too(client, db: Session, partner_login) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db, marker="revoked")
    partner = partner_login(ALL_SCOPES)
    unknown = new_id_number()
    lookup(client, partner.headers, id_number=unknown)
    lookup(client, partner.headers, card_no=person.card_no)
    lookup(client, partner.headers, card_no="AH00000000000000")
    records = db.scalars(
        select(LookupRecord)
        .where(LookupRecord.caller_id == partner.partner_id)
        .order_by(LookupRecord.occurred_at)
    ).all()
    assert [(r.query_kind, r.outcome, r.basis) for r in records] == [
        ("id_number", "no_priority", None),
        ("card_no", "no_priority", None),
        ("card_no", "no_priority", None),
    ]
    keyring = get_keyring()
    assert [r.subject_hash for r in records] == [
        keyring.blind_index(unknown),
        keyring.blind_index(person.id_number),
        None,
    ]


def test_refused_and_malformed_lookups_leave_no_record(client, db: Session, partner_login) -> None:  # type: ignore[no-untyped-def]
    partner = partner_login(["priority:medical"])
    db.commit()
    lookup(client, partner.headers, id_number=new_id_number(), service="housing")
    lookup(client, partner.headers, id_number="123", service="medical")
    count = db.scalars(
        select(LookupRecord).where(LookupRecord.caller_id == partner.partner_id)
    ).all()
    assert count == []


def test_lookup_table_never_holds_an_id_number(client, db: Session, partner_login) -> None:  # type: ignore[no-untyped-def]
    people = [make_talent(db, dependents=("child",)) for _ in range(3)]
    numbers = [p.id_number for p in people] + [p.dependents[0].id_number for p in people]
    headers = partner_login(ALL_SCOPES).headers
    for number in numbers:
        lookup(client, headers, id_number=number, service="education")
    lookups(client, headers, [*numbers, new_id_number()])
    dump = "\n".join(
        "|".join(str(value) for value in row)
        for row in db.execute(text("SELECT * FROM lookup_record"))
    )
    assert dump
    # Hex hashes and UUIDs may hold 18 decimal digits in a row by chance: scan the text columns.
    text_columns = "|".join(
        str(value)
        for row in db.execute(
            text("SELECT caller_name, service, purpose, outcome FROM lookup_record")
        )
        for value in row
    )
    assert not ID_LIKE.search(text_columns)
    for number in numbers:
        assert number not in dump


def test_no_id_number_reaches_any_log(client, db: Session, login, partner_login, caplog) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db, dependents=("spouse",), in_pool=True)
    unknown = new_id_number()
    bad = unknown[:-1] + ("1" if unknown[-1] != "1" else "2")
    clerk = login("window_clerk").headers
    narrow = partner_login(["priority:hukou"]).headers
    db.commit()
    with caplog.at_level(logging.DEBUG):
        lookup(client, clerk, id_number=person.id_number)
        lookup(client, clerk, id_number=person.dependents[0].id_number, service="employment")
        lookup(client, clerk, id_number=unknown)
        lookup(client, clerk, id_number=bad)
        lookup(client, clerk, card_no=person.card_no)
        lookup(client, narrow, id_number=person.id_number, service="housing")
        lookups(client, clerk, [person.id_number, unknown, bad, "1234"])
        client.get(client.app.url_path_for("lookup_list_mine"), headers=clerk)
    assert any(r.name == "bluecard.access" for r in caplog.records)
    formatter = JsonFormatter()
    lines = "\n".join(formatter.format(r) for r in caplog.records)
    for number in (person.id_number, person.dependents[0].id_number, unknown, bad):
        assert number not in lines
    assert not ID_LIKE.search(lines)
    access = [
        json.loads(formatter.format(r)) for r in caplog.records if r.name == "bluecard.access"
    ]
    assert {a["route"] for a in access} >= {"/api/v1/priority/lookup", "/api/v1/priority/lookups"}
