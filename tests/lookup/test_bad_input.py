"""Odd input is refused as bad input (422), never a server error, on both databases
(PostgreSQL refuses NUL characters in text, so they must not reach it)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    "body",
    [
        {"id_number": "\x00" * 18, "service": "housing", "purpose": "审核"},
        {"card_no": "\x00", "service": "housing", "purpose": "审核"},
        {"card_no": "AH34010012345678", "service": "housing", "purpose": "审核\x00"},
        {"card_no": "Ａ" * 32, "service": "housing", "purpose": "审核"},
        {"id_number": 123, "service": "housing", "purpose": "审核"},
        {"id_number": None, "card_no": None, "service": "housing", "purpose": "审核"},
        [],
        "x",
    ],
)
def test_odd_lookup_bodies_are_422(client, login, body: Any) -> None:  # type: ignore[no-untyped-def]
    url = client.app.url_path_for("priority_lookup")
    response = client.post(url, json=body, headers=login("window_clerk").headers)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("kind", "code"), [("id_numbers", "invalid_id_number"), ("card_nos", "invalid_card_no")]
)
def test_odd_batch_entries_are_invalid_entries(client, partner_login, kind, code) -> None:  # type: ignore[no-untyped-def]
    body = {"service": "housing", "purpose": "审核", kind: ["\x00", "ｘ" * 64, ""]}
    url = client.app.url_path_for("priority_lookups")
    response = client.post(url, json=body, headers=partner_login(["priority:housing"]).headers)
    assert response.status_code == 200
    assert [r["error"]["code"] for r in response.json()["results"]] == [code] * 3


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/public/roster", {"q": "张\x00"}, 422),
        ("/api/v1/public/roster", {"q": "%_\\", "page": 1_000_000, "page_size": 100}, 200),
        ("/api/v1/public/roster.csv", {"q": "'\"="}, 200),
        ("/api/v1/public/verify/%00%FF", {}, 422),  # a control character: invalid_text
        ("/api/v1/public/verify/" + "Z" * 40 + "/qr.png", {}, 404),
    ],
)
def test_odd_public_queries_are_answered_without_error(  # type: ignore[no-untyped-def]
    client, path: str, params: dict[str, Any], status: int
) -> None:
    assert client.get(path, params=params).status_code == status
