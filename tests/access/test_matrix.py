"""Every route × every kind of caller: the gate admits exactly the callers its entry names."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.access import partners, service
from app.access.codes import NOTICE_SCOPES as PARTNER_SCOPES
from app.access.models import Partner, User
from app.core.audit import SYSTEM
from tests.access.matrix import ROLES, Entry, collect_entries, matrix_problems, route_keys
from tests.access.matrix import sample_path as fill_path

ENTRIES = collect_entries()
CALLER_KINDS = ("anonymous", *ROLES, "partner_all_scopes", "partner_no_scopes")
CITY = "340100"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
REDIRECTS = frozenset({302, 303, 307})


def test_every_route_has_exactly_one_entry_naming_a_real_route(app: FastAPI) -> None:
    assert matrix_problems(app, ENTRIES) == []


def test_matrix_notices_a_route_without_entry(app: FastAPI) -> None:
    @app.get("/api/v1/unlisted-route")
    def unlisted() -> None: ...

    problems = matrix_problems(app, ENTRIES)
    assert "GET /api/v1/unlisted-route has no entry in any tests/*/access_matrix.py" in problems


def test_matrix_notices_a_stale_and_a_duplicate_entry(app: FastAPI) -> None:
    first = ENTRIES[0]
    stale = Entry("GET", "/api/v1/gone", frozenset({"auditor"}), "test")
    problems = matrix_problems(app, [*ENTRIES, first, stale])
    assert any(str(first) in p and "declared twice" in p for p in problems)
    assert any("/api/v1/gone" in p and "names no route" in p for p in problems)


@pytest.fixture
def callers(db: Session) -> dict[str, dict[str, str]]:
    """Bearer headers for one caller of each kind (none for the anonymous one)."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ROLES:
        # Never logs in with a password: a token is issued directly, so no hash is needed.
        user = User(
            username=f"matrix-{role}-{uuid.uuid4().hex[:6]}",
            password_hash="!",
            role=role,
            city_code=CITY if role == "city_operator" else None,
        )
        db.add(user)
        db.flush()
        headers[role] = _bearer(service.issue_token(db, user).token)
    everything = partners.create_partner(
        db, SYSTEM, name=f"matrix-all-{uuid.uuid4().hex[:6]}", scopes=PARTNER_SCOPES
    )
    # No partner can be registered without a service any more; one stored before that rule
    # (a row of an older release) must still be refused everything.
    nothing = Partner(name=f"matrix-none-{uuid.uuid4().hex[:6]}", agency="", scopes=[])
    db.add(nothing)
    db.flush()
    for kind, partner in (("partner_all_scopes", everything), ("partner_no_scopes", nothing)):
        headers[kind] = _bearer(partners.issue_api_key(db, SYSTEM, partner)[1])
    # Kept apart from what a refused request rolls back (the test's outer transaction ends it).
    db.commit()
    return headers


@pytest.mark.parametrize("entry", ENTRIES, ids=str)
def test_route_admits_exactly_the_declared_callers(
    entry: Entry, app: FastAPI, client: TestClient, callers: dict[str, dict[str, str]]
) -> None:
    if entry.key not in route_keys(app):
        pytest.skip("stale entry: reported by the whole-matrix test")
    path = fill_path(entry.path)
    body = {"json": {}} if entry.method in BODY_METHODS else {}
    wrong = []
    for kind in CALLER_KINDS:
        response = client.request(
            entry.method, path, headers=callers[kind], follow_redirects=False, **body
        )
        verdict = _judge(entry, kind, response)
        if verdict:
            wrong.append(f"{kind}: {verdict}")
    assert wrong == []


def _judge(entry: Entry, kind: str, response: httpx.Response) -> str | None:
    """Why the answer is wrong for this caller, or None when it is right."""
    status = response.status_code
    if entry.admits(kind):
        if status in (401, 403) or status >= 500:
            return f"admitted but got {status}: {response.text[:200]}"
        return None
    if kind != "anonymous":
        return None if status == 403 else f"should be 403, got {status}"
    if status == 401:
        challenge = response.headers.get("www-authenticate", "")
        return None if challenge.startswith("Bearer") else "401 without WWW-Authenticate: Bearer"
    if not entry.is_api and status in REDIRECTS and "/login" in response.headers["location"]:
        return None
    return f"should be 401, got {status}"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
