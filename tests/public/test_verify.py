"""GET /api/v1/public/verify/{code} and its QR code."""

from __future__ import annotations

from datetime import timedelta

import pytest
import segno
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.settings import get_settings
from app.public.masking import mask_name
from app.registry.markers import local_today
from tests.lookup.factories import make_talent
from tests.public.qr_reading import PNG_SIGNATURE, qr_modules
from tests.public.test_roster import assert_no_id_numbers


def verify(client: TestClient, code: str):  # type: ignore[no-untyped-def]
    return client.get(client.app.url_path_for("marker_verify", marker_code=code))  # type: ignore[attr-defined]


def test_active_marker_is_valid(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    until = local_today() + timedelta(days=100)
    person = make_talent(
        db, name="张三", city_code="340200", valid_until=until, categories=("provincial_hpcs",)
    )
    response = verify(client, person.marker_code)
    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "name_masked": "张*",
        "city_name": "芜湖市",
        "categories": ["provincial_hpcs"],
        "valid_until": until.isoformat(),
    }
    assert_no_id_numbers(response.text, [person])


def test_code_is_matched_regardless_of_case(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db)
    assert verify(client, person.marker_code.lower()).json()["valid"] is True


@pytest.mark.parametrize("case", ["suspended", "revoked", "expired"])
def test_marker_that_no_longer_counts_is_not_valid(client, db: Session, case: str) -> None:  # type: ignore[no-untyped-def]
    if case == "expired":
        person = make_talent(db, valid_until=local_today() - timedelta(days=1))
    else:
        person = make_talent(db, marker=case)
    response = verify(client, person.marker_code)
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert body["name_masked"] == mask_name(person.name)


def test_code_never_issued_is_404_problem(client) -> None:  # type: ignore[no-untyped-def]
    response = verify(client, "LT-0000000000ZZ")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("王小明", "王**"), ("欧阳娜娜", "欧阳**"), ("欧阳", "欧*"), ("李", "*")],
)
def test_names_keep_only_the_surname(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def qr_text_is(png: bytes, text: str) -> bool:
    return qr_modules(png) == [list(row) for row in segno.make(text, error="m").matrix]


def test_qr_code_is_a_png_of_the_verification_page_where_it_was_served(  # type: ignore[no-untyped-def]
    app, db: Session
) -> None:
    """Unset, the public base URL is the address asked: a demo on port 8123 prints codes
    that lead back to port 8123, not to localhost:8000."""
    person = make_talent(db)
    url = app.url_path_for("marker_qr", marker_code=person.marker_code)
    with TestClient(app, base_url="http://127.0.0.1:8123") as client:
        response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    assert qr_text_is(response.content, f"http://127.0.0.1:8123/verify/{person.marker_code}")
    assert response.headers["cache-control"].startswith("private")  # varies with the Host


def test_qr_code_follows_the_public_base_url_when_set(  # type: ignore[no-untyped-def]
    client, db: Session, monkeypatch
) -> None:
    person = make_talent(db)
    monkeypatch.setenv("BLUECARD_PUBLIC_BASE_URL", "https://bluecard.example.gov.cn/")
    get_settings.cache_clear()
    try:
        response = client.get(client.app.url_path_for("marker_qr", marker_code=person.marker_code))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 200
    expected = f"https://bluecard.example.gov.cn/verify/{person.marker_code}"
    assert qr_text_is(response.content, expected)
    assert response.headers["cache-control"].startswith("public")


def test_qr_code_of_a_code_never_issued_is_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(client.app.url_path_for("marker_qr", marker_code="LT-NOPE"))
    assert response.status_code == 404
