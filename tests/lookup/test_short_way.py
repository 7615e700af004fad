"""The single lookup's short way (a well-formed JSON body) and FastAPI's way (any other
body) answer alike: the same refusals in FastAPI's order (JSON that does not parse, then
the caller, then what the body says)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.lookup.models import LookupRecord

ASK = {"id_number": "11010519491231002X", "service": "housing", "purpose": "购房资格审核"}
BAD_KEY = {"Authorization": "Bearer bk_nobody_nothing"}


def _post(client: TestClient, headers: dict[str, str], body: bytes, content_type: str | None):  # type: ignore[no-untyped-def]
    sent = dict(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    return client.post(client.app.url_path_for("priority_lookup"), content=body, headers=sent)  # type: ignore[attr-defined]


def _records(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(LookupRecord)) or 0


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON; charset=utf-8", "application/ld+json"]
)
def test_a_json_body_is_answered_and_recorded_whichever_way_it_goes(  # type: ignore[no-untyped-def]
    client, partner_login, db: Session, content_type: str
) -> None:
    partner = partner_login(["priority:housing"])
    answer = _post(client, partner.headers, json.dumps(ASK).encode(), content_type)
    assert answer.status_code == 200, answer.text
    assert answer.json()["priority"] is False and answer.json()["service"] == "housing"
    assert _records(db) == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json.dumps(ASK).encode(), None),  # no content type: not taken for JSON
        (json.dumps(ASK).encode(), "text/plain"),
        (b'{"id_number": "11010519491231002X", "service": "housing",', "application/json"),
        (json.dumps({**ASK, "card_no": "AH34010012345678"}).encode(), "application/json"),
        (json.dumps(ASK).encode("utf-16"), "application/json"),
    ],
)
def test_what_is_not_a_well_formed_ask_is_422_and_leaves_no_record(  # type: ignore[no-untyped-def]
    client, partner_login, db: Session, body: bytes, content_type: str | None
) -> None:
    partner = partner_login(["priority:housing"])
    answer = _post(client, partner.headers, body, content_type)
    if body.startswith(b"\xff\xfe"):  # UTF-16: Python's JSON reads it, so FastAPI answers it
        assert answer.status_code == 200, answer.text
        assert _records(db) == 1
        return
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert _records(db) == 0


@pytest.mark.parametrize("body", [json.dumps(ASK).encode(), b'{"service": "housing"}'])
def test_the_caller_is_refused_before_the_body_is_checked(client, login, body: bytes) -> None:  # type: ignore[no-untyped-def]
    assert _post(client, BAD_KEY, body, "application/json").status_code == 401
    city = login("city_operator", city_code="340100")
    refused = _post(client, city.headers, body, "application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_a_partner_outside_its_scopes_is_refused_on_the_short_way(  # type: ignore[no-untyped-def]
    client, partner_login, db: Session
) -> None:
    partner = partner_login(["priority:medical"])
    refused = _post(client, partner.headers, json.dumps(ASK).encode(), "application/json")
    assert refused.status_code == 403
    assert _records(db) == 0
