"""NUL and other control characters in paths, query strings and login forms: 422
`invalid_text`, never a 500 (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Login


def assert_invalid_text(response: object, field: str | None = None) -> None:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "invalid_text"
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize("username", ["ad\x00min", "ad\x1b[31mmin", "admin\x7f"])
def test_a_control_character_in_the_token_form_is_invalid_text(
    client: TestClient, username: str
) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": "whatever-1234"}
    )

    assert_invalid_text(response)


def test_a_nul_in_the_page_login_form_is_no_server_error(client: TestClient) -> None:
    page = client.app.url_path_for("page_login_submit")  # type: ignore[attr-defined]

    response = client.post(page, data={"username": "ad\x00min", "password": "x"})

    assert response.status_code < 500


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/talents", {"cursor": "\x00"}, "cursor"),
        ("/api/v1/talents", {"name": "张\x00三"}, "name"),
        ("/api/v1/talents", {"city_code": "3401\x0000"}, "city_code"),
        ("/api/v1/submissions", {"city_code": "\x00"}, "city_code"),
        ("/api/v1/submissions", {"period": "2026Q4\x09"}, "period"),
        ("/api/v1/public/roster", {"q": "a\x00"}, "q"),
        ("/api/v1/public/roster", {"q\x00": "a"}, "query"),
    ],
)
def test_a_control_character_in_a_query_string_is_invalid_text(
    client: TestClient,
    login: Callable[..., Login],
    path: str,
    params: dict[str, str],
    field: str,
) -> None:
    headers = login("province_admin").headers

    assert_invalid_text(client.get(path, params=params, headers=headers), field)


def test_a_control_character_in_a_path_is_invalid_text(client: TestClient) -> None:
    assert_invalid_text(client.get("/api/v1/public/verify/LT-%00"), "path")


def test_ordinary_queries_still_pass(client: TestClient) -> None:
    response = client.get("/api/v1/public/roster", params={"q": "张 三%"})

    assert response.status_code == 200
