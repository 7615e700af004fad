"""Driving the service through its HTTP API, in process (TestClient) or over the network
(httpx against a real server): both are `httpx.Client`s."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from tests.filing.writers import Record, write_json


@lru_cache
def _routes() -> FastAPI:
    from app.main import create_app

    return create_app()


def path(name: str, **params: Any) -> str:
    """A route's path by its name, as `url_path_for` gives it."""
    return str(_routes().url_path_for(name, **params))


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def upload(
    client: httpx.Client, headers: dict[str, str], records: Sequence[Record], file: Path
) -> dict[str, Any]:
    """A city's file of `records`, uploaded; the new submission (status `validated`)."""
    write_json(file, records)
    with file.open("rb") as stream:
        answer = client.post(
            path("submission_create"),
            headers=headers,
            files={"file": (file.name, stream, "application/json")},
            data={"period": "2026Q4"},
        )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    assert created["status"] == "validated", created
    return created


def submit(client: httpx.Client, headers: dict[str, str], submission_id: str) -> None:
    answer = client.post(path("submission_submit", submission_id=submission_id), headers=headers)
    assert answer.status_code == 200, answer.text


def approve(client: httpx.Client, headers: dict[str, str], submission_id: str) -> httpx.Response:
    return client.post(path("submission_approve", submission_id=submission_id), headers=headers)


def file_records(
    client: httpx.Client,
    city: dict[str, str],
    province: dict[str, str],
    records: Sequence[Record],
    file: Path,
) -> str:
    """Upload, submit and approve: the records are in the registry. The submission's id."""
    submission_id: str = upload(client, city, records, file)["id"]
    submit(client, city, submission_id)
    approved = approve(client, province, submission_id)
    assert approved.status_code == 200, approved.text
    return submission_id


def lookup(
    client: httpx.Client, headers: dict[str, str], id_number: str, purpose: str
) -> httpx.Response:
    body = {"id_number": id_number, "service": "housing", "purpose": purpose}
    return client.post(path("priority_lookup"), json=body, headers=headers)
