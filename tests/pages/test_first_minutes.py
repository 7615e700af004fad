"""A newcomer's first pages: an unknown marker code and a page number past the end."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.lookup.factories import make_talent


def test_an_unknown_marker_code_says_the_marker_is_invalid(client: TestClient) -> None:
    path = client.app.url_path_for("page_verify", marker_code="LT-0000000000ZZ")  # type: ignore[attr-defined]
    response = client.get(path)
    assert response.status_code == 404
    assert "标识无效" in response.text and "从未签发" in response.text
    assert "LT-0000000000ZZ" in response.text
    assert "页面不存在" not in response.text


def test_a_code_that_cannot_be_a_marker_code_says_so_too(client: TestClient) -> None:
    response = client.get("/verify/%3Cb%3Enonsense")
    assert response.status_code == 404
    assert "标识无效" in response.text and "<b>nonsense" not in response.text


def test_a_page_past_the_last_says_so_and_links_the_last(client: TestClient, db: Session) -> None:
    for _ in range(21):  # two roster pages of 20
        make_talent(db, city_code="340300")
    roster = client.app.url_path_for("page_roster")  # type: ignore[attr-defined]
    response = client.get(f"{roster}?city_code=340300&page=99")
    assert response.status_code == 200
    assert "第 99 / 2 页" not in response.text
    assert "没有第 99 页：共 2 页" in response.text
    assert 'href="/roster?city_code=340300&amp;page=2"' in response.text
    last = client.get(f"{roster}?city_code=340300&page=2").text
    assert "第 2 / 2 页" in last and "没有第" not in last


def test_a_page_past_the_end_of_an_empty_listing_says_so(client: TestClient) -> None:
    roster = client.app.url_path_for("page_roster")  # type: ignore[attr-defined]
    html = client.get(f"{roster}?city_code=341800&page=3").text
    assert "没有第 3 页：共 1 页" in html
