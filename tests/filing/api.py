"""Calling the submissions API from outside, as a city's system or the province's reviewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.registry import service as registry
from app.registry.markers import local_today
from app.registry.models import Talent
from tests.conftest import Login

HOLDER_CITY = "340100"  # 合肥市
OTHER_CITY = "340200"  # 芜湖市


def upload(
    client: TestClient,
    headers: dict[str, str],
    path: Path,
    *,
    period: str = "2026Q4",
    key: str | None = None,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key is not None else {}
    with path.open("rb") as file:
        return client.post(
            client.app.url_path_for("submission_create"),  # type: ignore[attr-defined]
            headers={**headers, **extra},
            files={"file": (path.name, file, "application/octet-stream")},
            data={"period": period},
        )


def call(
    client: TestClient,
    method: str,
    route: str,
    headers: dict[str, str],
    submission_id: str,
    **kwargs: Any,
) -> httpx.Response:
    path = client.app.url_path_for(route, submission_id=submission_id)  # type: ignore[attr-defined]
    return client.request(method, path, headers=headers, **kwargs)


def talent(db: Session, id_number: str) -> Talent | None:
    """The registry's record of a person, fresh from the database."""
    db.expire_all()
    id_hash = get_keyring().blind_index(id_number)
    return registry.talents_by_hash(db, [id_hash]).get(id_hash)


def submit_and_approve(
    client: TestClient, city: Login, province: Login, submission_id: str
) -> None:
    submitted = call(client, "POST", "submission_submit", city.headers, submission_id)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "pending_review"
    approved = call(client, "POST", "submission_approve", province.headers, submission_id)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "applied"


def next_period() -> str:
    """The quarter after today's (China time): one that has not begun."""
    today = local_today()
    quarter = (today.month - 1) // 3 + 1
    return f"{today.year + 1}Q1" if quarter == 4 else f"{today.year}Q{quarter + 1}"
