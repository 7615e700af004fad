"""The roster's name search is free text too: no ID number, no control character."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("query", "code"),
    [("340102 19800101 001x", "id_number_in_text"), ("张\x07", "invalid_text")],
)
def test_roster_search_refuses_id_numbers_and_control_characters(
    client: TestClient, query: str, code: str
) -> None:
    url = client.app.url_path_for("roster_list")  # type: ignore[attr-defined]
    response = client.get(url, params={"q": query})
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert "19800101" not in response.text
