"""Batches: partners only, n numbers count n, a quota of ID numbers, and `card_nos`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.lookup.models import LookupJournal, LookupRecord
from app.registry.identifiers import mask_id_number
from tests.conftest import Login, PartnerLogin
from tests.lookup.factories import make_talent, new_id_number
from tests.lookup.test_batch import lookups

SCOPE = ["priority:education"]


def single(client: TestClient, headers: dict[str, str]) -> Any:
    body = {"id_number": new_id_number(), "service": "education", "purpose": "入学资格审核"}
    return client.post(client.app.url_path_for("priority_lookup"), json=body, headers=headers)  # type: ignore[attr-defined]


def recorded(db: Session) -> int:
    journal = db.scalar(select(func.count()).select_from(LookupJournal))
    records = db.scalar(select(func.count()).select_from(LookupRecord))
    return int(journal or 0) + int(records or 0)


def test_a_window_clerks_batch_is_403(client: TestClient, login: Callable[..., Login]) -> None:
    response = lookups(client, login("window_clerk").headers, [new_id_number()])

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_batch_of_n_counts_n_against_the_credentials_limit(
    client: TestClient,
    partner_login: Callable[..., PartnerLogin],
    override_settings: Callable[..., None],
) -> None:
    override_settings(rate_limit_credential="10/minute")
    headers = partner_login(SCOPE).headers

    assert lookups(client, headers, [new_id_number() for _ in range(10)]).status_code == 200
    refused = single(client, headers)

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_over_the_id_quota_nothing_of_the_batch_is_answered_or_recorded(
    client: TestClient,
    db: Session,
    partner_login: Callable[..., PartnerLogin],
    override_settings: Callable[..., None],
) -> None:
    override_settings(rate_limit_ids="5/hour")
    headers = partner_login(SCOPE).headers
    before = recorded(db)

    refused = lookups(client, headers, [new_id_number() for _ in range(6)])

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    assert "results" not in refused.json()
    assert recorded(db) == before
    assert lookups(client, headers, [new_id_number() for _ in range(5)]).status_code == 200
    assert lookups(client, headers, [new_id_number()]).status_code == 429
    # A single lookup is one request against the per-request limit, not the batches' quota.
    assert single(client, headers).status_code == 200


def test_the_id_quota_is_per_credential(
    client: TestClient,
    partner_login: Callable[..., PartnerLogin],
    override_settings: Callable[..., None],
) -> None:
    override_settings(rate_limit_ids="3/hour")
    first, second = partner_login(SCOPE).headers, partner_login(SCOPE).headers

    assert lookups(client, first, [new_id_number() for _ in range(3)]).status_code == 200
    assert lookups(client, second, [new_id_number() for _ in range(3)]).status_code == 200
    assert lookups(client, first, [new_id_number()]).status_code == 429


def test_a_batch_of_card_numbers(
    client: TestClient, db: Session, partner_login: Callable[..., PartnerLogin]
) -> None:
    filed = make_talent(db)
    pooled = make_talent(db, in_pool=True)
    stranger = new_id_number()
    cards = [filed.card_no.lower(), "AH34010099999999", "坏卡号", stranger, pooled.card_no]
    body = {"service": "education", "purpose": "入学资格审核", "card_nos": cards}
    headers = partner_login(SCOPE).headers

    response = client.post(
        client.app.url_path_for("priority_lookups"),  # type: ignore[attr-defined]
        json=body,
        headers=headers,
    )

    assert response.status_code == 200, response.text
    first, unknown, malformed, id_number, in_pool = response.json()["results"]
    assert (first["card_no"], first["priority"], first["basis"]) == (
        filed.card_no,
        True,
        "holder",
    )
    assert first["marker"]["code"] == filed.marker_code
    assert (unknown["card_no"], unknown["priority"], unknown["marker"]) == (
        "AH34010099999999",
        False,
        None,
    )
    invalid = {"code": "invalid_card_no", "message": "蓝卡卡号格式不正确"}
    assert malformed["error"] == invalid and id_number["error"] == invalid
    assert id_number["card_no"] == mask_id_number(stranger)
    assert stranger not in response.text
    assert in_pool["card_no"] == pooled.card_no and in_pool["priority"] is True
    assert all("id_number_masked" not in entry for entry in response.json()["results"])
    kinds = db.scalars(select(LookupJournal.query_kind)).all()
    assert kinds == ["card_no"]


def test_a_batch_gives_either_id_numbers_or_card_nos(
    client: TestClient, partner_login: Callable[..., PartnerLogin]
) -> None:
    body = {
        "service": "education",
        "purpose": "入学资格审核",
        "card_nos": ["AH1"],
        "id_numbers": [new_id_number()],
    }
    response = client.post(
        client.app.url_path_for("priority_lookups"),  # type: ignore[attr-defined]
        json=body,
        headers=partner_login(SCOPE).headers,
    )

    assert response.status_code == 422
