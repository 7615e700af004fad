"""The world the fuzzer runs in: a database with real commits, a caller of every kind, some
real objects for path parameters to name, and the rules error answers are held to."""

from __future__ import annotations

import json
import random
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.access import partners, service
from app.access.codes import NOTICE_SCOPES as PARTNER_SCOPES
from app.core.audit import SYSTEM
from app.core.db import session_scope
from app.registry.models import Marker, Talent
from tests.access.matrix import collect_entries
from tests.conftest import DEMO_PASSWORD
from tests.filing.writers import people
from tests.robustness import api
from tests.robustness.api import bearer

CITY = "340100"
ROLES = ("province_admin", "city_operator", "window_clerk", "auditor")
PROBLEM_JSON = "application/problem+json"
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")
_ERROR_MEMBERS = ("field", "code", "message")


@dataclass
class Caller:
    kind: str
    headers: dict[str, str]
    username: str | None = None


@dataclass(repr=False)
class World:
    """Everything the fuzz tests share: callers, and real ids by path parameter name."""

    app: FastAPI
    callers: dict[str, Caller]
    known_ids: dict[str, list[str]]
    # Who passes each operation's gate ("GET /path" -> callers), from the access matrices.
    admitted: dict[str, frozenset[str]]
    # (method path, status, what is wrong) of error answers the OpenAPI does not describe.
    undeclared: set[tuple[str, int, str]] = field(default_factory=set)

    def __repr__(self) -> str:
        return f"World(callers={sorted(self.callers)}, known_ids={sorted(self.known_ids)})"

    def candidates(self, operation: str) -> list[str]:
        """The callers to draw from for an operation: mostly those its gate admits, and one
        it refuses, so the refusal is exercised too. Everyone for a public route."""
        admitted = self.admitted.get(operation, frozenset(self.callers))
        if "anonymous" in admitted:
            return sorted(self.callers)
        allowed = sorted(admitted & self.callers.keys())
        refused = sorted(self.callers.keys() - admitted)
        return allowed * 3 + refused[:1]

    def reissue(self, caller: Caller) -> None:
        """A fresh session token after the fuzzer logged the caller out."""
        assert caller.username is not None
        with session_scope() as session:
            user = service.get_user_by_username(session, caller.username)
            caller.headers = bearer(service.issue_token(session, user).token)

    def substitute_known_ids(self, path_parameters: dict[str, Any], rng: random.Random) -> None:
        """Half the time, name a real object instead of a random id, so handlers run past
        their 404 (only where the generated value is a well-formed id, keeping negative cases
        negative)."""
        for name, value in path_parameters.items():
            known = self.known_ids.get(name)
            if known and _well_formed(name, value) and rng.random() < 0.5:
                path_parameters[name] = rng.choice(known)


def make_world(app: FastAPI, tmp_path: Path) -> World:
    """Callers of every kind, victims for the admin routes, filed records with markers, and
    submissions in the states a city leaves them in."""
    suffix = uuid.uuid4().hex[:6]
    callers: dict[str, Caller] = {}
    with session_scope() as session:
        for role in ROLES:
            username = f"fuzz-{role}-{suffix}"
            user = service.create_user(
                session,
                SYSTEM,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                city_code=CITY if role == "city_operator" else None,
            )
            token = service.issue_token(session, user)
            callers[role] = Caller(role, bearer(token.token), username)
        partner = partners.create_partner(
            session, SYSTEM, name=f"fuzz-partner-{suffix}", scopes=PARTNER_SCOPES
        )
        _, key = partners.issue_api_key(session, SYSTEM, partner)
        callers["partner"] = Caller("partner", bearer(key))
        callers["anonymous"] = Caller("anonymous", {})
        # Victims: objects the admin routes may change without locking the callers out.
        victim = service.create_user(
            session,
            SYSTEM,
            username=f"fuzz-victim-{suffix}",
            password=DEMO_PASSWORD,
            role="window_clerk",
        )
        victim_partner = partners.create_partner(
            session, SYSTEM, name=f"fuzz-victim-{suffix}", scopes=["priority:housing"]
        )
        victim_key, _ = partners.issue_api_key(session, SYSTEM, victim_partner)
        known_ids = {
            "user_id": [str(victim.id)],
            "partner_id": [str(victim_partner.id)],
            "key_id": [str(victim_key.id)],
        }
    city, province = callers["city_operator"].headers, callers["province_admin"].headers
    batches = [people(seed=90 + n, count=4, city_code=CITY) for n in range(3)]
    with TestClient(app) as client:
        applied = api.file_records(client, city, province, batches[0], tmp_path / "applied.json")
        pending = api.upload(client, city, batches[1], tmp_path / "pending.json")["id"]
        api.submit(client, city, pending)
        validated = api.upload(client, city, batches[2], tmp_path / "validated.json")["id"]
    with session_scope() as session:
        known_ids["talent_id"] = [str(i) for i in session.scalars(select(Talent.id))]
        known_ids["marker_code"] = list(session.scalars(select(Marker.code)))
    known_ids["submission_id"] = [applied, pending, validated]
    return World(app, callers, known_ids, _admitted_by_matrix())


def check_problem(body_bytes: bytes, content_type: str, status: int) -> None:
    """An error answer is the contract's problem+json: RFC 9457 members plus a snake_case
    `code`, `errors` entries for bad input, and a `status` equal to the HTTP one."""
    assert content_type.split(";")[0].strip() == PROBLEM_JSON, content_type
    body = json.loads(body_bytes)
    assert isinstance(body, dict), body
    for member in ("type", "title", "detail", "code"):
        assert isinstance(body.get(member), str), (member, body)
    assert body["type"] and body["title"], body
    assert _SNAKE_CASE.fullmatch(body["code"]), body
    assert body.get("status") == status, body
    for error in body.get("errors", []):
        assert {k: type(v) for k, v in error.items()} == dict.fromkeys(_ERROR_MEMBERS, str), error


def _admitted_by_matrix() -> dict[str, frozenset[str]]:
    return {str(entry): entry.allowed for entry in collect_entries()}


def _well_formed(name: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if name.endswith("_id"):
        try:
            uuid.UUID(value)
        except ValueError:
            return False
    return True
