"""The upload itself: idempotency, the size limit, files that are not what they say."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import PayloadTooLarge
from app.core.settings import get_settings
from app.filing import intake
from app.filing.calendar import current_period
from app.filing.models import Submission
from app.filing.parsers import base as parser_limits
from app.filing.upload import received_form
from app.registry.markers import local_today
from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, call, next_period, upload
from tests.filing.writers import people, write_csv, write_json


@pytest.fixture
def one_megabyte_limit() -> Iterator[None]:
    previous = os.environ.get("BLUECARD_MAX_UPLOAD_MB")
    os.environ["BLUECARD_MAX_UPLOAD_MB"] = "1"
    get_settings.cache_clear()
    yield
    if previous is None:
        del os.environ["BLUECARD_MAX_UPLOAD_MB"]
    else:
        os.environ["BLUECARD_MAX_UPLOAD_MB"] = previous
    get_settings.cache_clear()


def submissions(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Submission)) or 0


def test_same_key_and_same_file_answers_the_first_submission(
    tmp_path: Path, client: TestClient, db: Session, city: Login
) -> None:
    path = write_json(tmp_path / "a.json", people(20, 2, city_code=HOLDER_CITY))

    first = upload(client, city.headers, path, key="hefei-2026Q4-1")
    again = upload(client, city.headers, path, key="hefei-2026Q4-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert submissions(db) == 1


def test_same_key_with_another_file_is_refused(
    tmp_path: Path, client: TestClient, db: Session, city: Login
) -> None:
    upload(
        client,
        city.headers,
        write_json(tmp_path / "a.json", people(21, 2, city_code=HOLDER_CITY)),
        key="k-1",
    )

    other = upload(
        client,
        city.headers,
        write_json(tmp_path / "b.json", people(22, 2, city_code=HOLDER_CITY)),
        key="k-1",
    )

    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_reused"
    assert submissions(db) == 1


def test_without_a_key_the_same_file_makes_a_new_submission(
    tmp_path: Path, client: TestClient, db: Session, city: Login
) -> None:
    path = write_json(tmp_path / "a.json", people(23, 1, city_code=HOLDER_CITY))

    ids = {upload(client, city.headers, path).json()["id"] for _ in range(2)}

    assert len(ids) == 2


def test_file_over_the_limit_is_413_and_nothing_is_stored(
    tmp_path: Path, client: TestClient, db: Session, city: Login, one_megabyte_limit: None
) -> None:
    path = write_csv(tmp_path / "big.csv", people(24, 1, city_code=HOLDER_CITY))
    with path.open("ab") as file:
        file.write(b"\r\n" * (1024 * 1024))

    response = upload(client, city.headers, path)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "1 MB" in response.json()["detail"]
    assert submissions(db) == 0


def test_file_just_under_the_limit_is_read(
    tmp_path: Path,
    client: TestClient,
    city: Login,
    one_megabyte_limit: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Padded with blank lines, which count as rows: the row limit is not under test here.
    monkeypatch.setattr(parser_limits, "MAX_ROWS", 1_000_000)
    path = write_csv(tmp_path / "near.csv", people(25, 1, city_code=HOLDER_CITY))
    with path.open("ab") as file:
        file.write(b"\r\n" * ((1024 * 1024 - path.stat().st_size) // 2))
    assert 1024 * 1024 - 2 < path.stat().st_size <= 1024 * 1024

    response = upload(client, city.headers, path)

    assert response.status_code == 201, response.text
    assert response.json()["counts"]["rows"] == 1


def test_reading_stops_as_soon_as_the_limit_is_passed(one_megabyte_limit: None) -> None:
    """A client streaming an endless file is cut off after about the limit, not read on."""
    chunk = 64 * 1024
    received = 0

    async def receive() -> dict[str, object]:
        nonlocal received
        received += 1
        if received == 1:
            head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
            return {"type": "http.request", "body": head, "more_body": True}
        return {"type": "http.request", "body": b"x" * chunk, "more_body": True}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/submissions",
        "headers": [(b"content-type", b"multipart/form-data; boundary=b")],
    }

    async def read_form() -> None:
        async for _ in received_form(Request(scope, receive)):
            pass

    with pytest.raises(PayloadTooLarge):
        anyio.run(read_form)
    assert received == 1 + (1024 * 1024) // chunk + 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("city.xlsx", "操作,身份证号\n".encode(), "malformed_file"),
        ("city.json", b"\x89PNG\r\n\x1a\n", "malformed_file"),
        ("city.csv", b"PK\x03\x04\x00\x00\x00binary", "malformed_file"),
        ("city.xls", b"\xd0\xcf\x11\xe0", "malformed_file"),
        ("city.ods", b"PK\x03\x04\x00\x00\x00binary", "malformed_file"),
        ("city.numbers", b"PK\x03\x04", "unsupported_file_type"),
        ("city.csv", "姓名,工作单位\n张三,某公司\n".encode(), "missing_columns"),
        ("city.csv", "操作,身份证号\n".encode(), "empty_file"),
    ],
)
def test_file_that_is_not_what_it_says_is_a_clear_422(
    name: str,
    content: bytes,
    code: str,
    tmp_path: Path,
    client: TestClient,
    db: Session,
    city: Login,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    response = upload(client, city.headers, path)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    assert body["errors"][0]["field"] == "file"
    assert any("\u4e00" <= char <= "\u9fff" for char in body["detail"])
    assert submissions(db) == 0


@pytest.mark.parametrize("period", ["2026Q5", "2026-Q4", "26Q4", "Q4", "2026q"])
def test_malformed_period_is_refused(
    period: str, tmp_path: Path, client: TestClient, city: Login
) -> None:
    path = write_json(tmp_path / "a.json", people(26, 1, city_code=HOLDER_CITY))

    response = upload(client, city.headers, path, period=period)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_period"


def test_a_period_that_has_not_begun_is_refused(
    tmp_path: Path, client: TestClient, city: Login, db: Session
) -> None:
    path = write_json(tmp_path / "a.json", people(26, 1, city_code=HOLDER_CITY))

    response = upload(client, city.headers, path, period=next_period())

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_period"
    assert body["errors"][0]["field"] == "period"
    assert "尚未开始" in body["errors"][0]["message"]
    assert submissions(db) == 0
    current = current_period(local_today())
    assert upload(client, city.headers, path, period=current).status_code == 201


def test_missing_file_and_period_are_both_named(client: TestClient, city: Login) -> None:
    response = client.post(
        client.app.url_path_for("submission_create"),  # type: ignore[attr-defined]
        headers=city.headers,
        files={"note": ("a.txt", b"x", "text/plain")},
    )

    assert response.status_code == 422
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert fields == {("file", "required"), ("period", "required")}


def test_body_that_is_not_a_form_is_refused(client: TestClient, city: Login) -> None:
    response = client.post(
        client.app.url_path_for("submission_create"),  # type: ignore[attr-defined]
        headers=city.headers,
        json={"records": []},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_only_city_operators_upload(
    tmp_path: Path, client: TestClient, login: object, province: Login
) -> None:
    path = write_json(tmp_path / "a.json", people(27, 1, city_code=HOLDER_CITY))

    response = upload(client, province.headers, path)

    assert response.status_code == 403


def test_file_with_too_many_rows_is_refused(
    tmp_path: Path, client: TestClient, db: Session, city: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parser_limits, "MAX_ROWS", 3)
    monkeypatch.setattr(intake, "CHUNK_ROWS", 2)
    path = write_json(tmp_path / "many.json", people(28, 5, city_code=HOLDER_CITY))

    response = upload(client, city.headers, path)

    assert (response.status_code, response.json()["code"]) == (422, "too_many_rows")
    assert submissions(db) == 0


def test_report_stops_listing_after_the_error_cap_but_counts_every_row(
    tmp_path: Path, client: TestClient, city: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "MAX_STORED_ERRORS", 3)
    monkeypatch.setattr(intake, "CHUNK_ROWS", 2)
    records = [{**record, "name": ""} for record in people(29, 5, city_code=HOLDER_CITY)]

    created = upload(client, city.headers, write_json(tmp_path / "bad.json", records)).json()
    report = call(client, "GET", "submission_report", city.headers, created["id"]).json()

    assert created["counts"]["errors"] == 5
    assert [(e["row"], e["code"]) for e in report["errors"]] == [
        (1, "required"),
        (2, "required"),
        (3, "required"),
        (4, "too_many_errors"),
    ]
    assert "不再列出" in report["errors"][-1]["message"]
