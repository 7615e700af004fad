"""The filing calendar (contract v2): each city's latest submission of a quarter, and the
deadline, for the province and auditors only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.reference import city_names
from app.core.settings import get_settings
from app.filing.calendar import deadline_of
from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, OTHER_CITY, call, submit_and_approve, upload
from tests.filing.writers import people, write_json


def _calendar(client: TestClient, headers: dict[str, str], period: str | None = "2026Q4"):  # type: ignore[no-untyped-def]
    path = client.app.url_path_for("calendar_get")  # type: ignore[attr-defined]
    return client.get(path, headers=headers, params={"period": period} if period else {})


def _by_city(body: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {entry["city_code"]: entry for entry in body["cities"]}


def test_every_city_is_listed_with_none_before_anything_is_filed(
    client: TestClient, province: Login
) -> None:
    response = _calendar(client, province.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == "2026Q4"
    assert body["deadline"] == "2027-01-15"
    assert len(body["cities"]) == 16
    assert [c["city_code"] for c in body["cities"]] == list(city_names())
    hefei = _by_city(body)[HOLDER_CITY]
    assert hefei == {
        "city_code": HOLDER_CITY,
        "city_name": "合肥市",
        "status": "none",
        "submission_id": None,
        "updated_at": None,
    }


def test_each_city_shows_its_latest_submission_of_the_period_only(
    tmp_path: Path, client: TestClient, city: Login, other_city: Login, province: Login
) -> None:
    good = write_json(tmp_path / "good.json", people(31, 2, city_code=HOLDER_CITY))
    first = upload(client, city.headers, good, key="first").json()
    submit_and_approve(client, city, province, first["id"])
    second = upload(client, city.headers, good, key="second").json()
    call(client, "POST", "submission_submit", city.headers, second["id"])
    bad = write_json(
        tmp_path / "bad.json", [{**people(32, 1, city_code=OTHER_CITY)[0], "id_number": "1"}]
    )
    wuhu = upload(client, other_city.headers, bad).json()
    earlier_period = upload(client, other_city.headers, good, period="2026Q3", key="q3").json()

    cities = _by_city(_calendar(client, province.headers).json())

    assert (cities[HOLDER_CITY]["status"], cities[HOLDER_CITY]["submission_id"]) == (
        "pending_review",
        second["id"],
    )
    assert cities[HOLDER_CITY]["updated_at"] is not None
    assert (cities[OTHER_CITY]["status"], cities[OTHER_CITY]["submission_id"]) == (
        "invalid",
        wuhu["id"],
    )
    q3 = _by_city(_calendar(client, province.headers, "2026Q3").json())
    assert q3[OTHER_CITY]["submission_id"] == earlier_period["id"]
    assert q3[HOLDER_CITY]["status"] == "none"


@pytest.mark.parametrize(
    ("period", "deadline"),
    [
        ("2026Q1", date(2026, 4, 15)),
        ("2026Q2", date(2026, 7, 15)),
        ("2026Q3", date(2026, 10, 15)),
        ("2026Q4", date(2027, 1, 15)),
    ],
)
def test_the_deadline_is_the_15th_day_after_the_quarter(period: str, deadline: date) -> None:
    assert deadline_of(period) == deadline


@pytest.fixture
def deadline_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    def set_days(days: int) -> None:
        monkeypatch.setenv("BLUECARD_FILING_DEADLINE_DAYS", str(days))
        get_settings.cache_clear()

    yield set_days
    monkeypatch.delenv("BLUECARD_FILING_DEADLINE_DAYS", raising=False)
    get_settings.cache_clear()


def test_the_deadline_is_a_setting(
    client: TestClient, province: Login, deadline_days: Callable[[int], None]
) -> None:
    deadline_days(30)
    assert _calendar(client, province.headers).json()["deadline"] == "2027-01-30"


def test_auditors_read_the_calendar(client: TestClient, login: Callable[..., Login]) -> None:
    assert _calendar(client, login("auditor").headers).status_code == 200


@pytest.mark.parametrize("role", ["city_operator", "window_clerk"])
def test_other_roles_are_refused(
    role: str, client: TestClient, login: Callable[..., Login]
) -> None:
    who = login(role, HOLDER_CITY if role == "city_operator" else None)
    response = _calendar(client, who.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_no_credentials_is_401(client: TestClient) -> None:
    assert _calendar(client, {}).status_code == 401


@pytest.mark.parametrize("period", ["2026Q5", "2026-4", "26Q1"])
def test_a_malformed_period_is_422(period: str, client: TestClient, province: Login) -> None:
    response = _calendar(client, province.headers, period)
    assert response.status_code == 422
