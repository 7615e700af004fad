"""Concurrent lookups against a database with real commits: every one answered and recorded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.access import partners
from app.core.audit import SYSTEM
from app.core.db import session_scope
from app.lookup.models import LookupRecord
from tests.lookup.factories import make_talent, new_id_number


def test_concurrent_single_and_batch_lookups_are_all_answered_and_recorded(
    fresh_database_url: str,
) -> None:
    from app.main import create_app

    with session_scope() as session:
        holders = [make_talent(session).id_number for _ in range(4)]
        partner = partners.create_partner(
            session, SYSTEM, name="并发测试", scopes=["priority:housing"]
        )
        _, key = partners.issue_api_key(session, SYSTEM, partner)
    headers = {"Authorization": f"Bearer {key}"}
    numbers = [*holders, new_id_number(), "bad"]

    with TestClient(create_app()) as client, ThreadPoolExecutor(max_workers=12) as pool:
        single = client.app.url_path_for("priority_lookup")  # type: ignore[attr-defined]
        batch = client.app.url_path_for("priority_lookups")  # type: ignore[attr-defined]

        def ask(n: int) -> int:
            if n % 10 == 0:
                body = {"service": "housing", "purpose": f"批量 {n}", "id_numbers": numbers}
                return client.post(batch, json=body, headers=headers).status_code
            number = numbers[n % 5]
            body = {"id_number": number, "service": "housing", "purpose": f"并发 {n}"}
            return client.post(single, json=body, headers=headers).status_code

        statuses = list(pool.map(ask, range(60)))

    assert statuses == [200] * 60
    with session_scope() as session:
        recorded = session.scalar(select(func.count()).select_from(LookupRecord))
        priority = session.scalar(
            select(func.count()).select_from(LookupRecord).where(LookupRecord.outcome == "priority")
        )
    assert recorded == 54 + 6 * len(numbers)
    assert priority == sum(1 for n in range(60) if n % 10 and n % 5 < 4) + 6 * 4


def test_lookups_answered_together_keep_each_callers_scope_and_disclosure(
    fresh_database_url: str,
) -> None:
    """Lookups that arrive at once are answered in shared transactions; a caller without
    the scope is refused alone, and only the disclosing caller is shown the person."""
    from app.main import create_app

    with session_scope() as session:
        holder = make_talent(session)
        keys = {}
        for name, scopes, disclose in (
            ("discloses", ["priority:housing", "priority:education"], True),
            ("housing-only", ["priority:housing"], False),
        ):
            partner = partners.create_partner(
                session, SYSTEM, name=name, scopes=scopes, disclose_person=disclose
            )
            keys[name] = partners.issue_api_key(session, SYSTEM, partner)[1]

    def ask(n: int) -> tuple[str, str, int, dict[str, object]]:
        who = "discloses" if n % 2 else "housing-only"
        service = "education" if n % 3 == 0 else "housing"
        body = {"id_number": holder.id_number, "service": service, "purpose": f"同时 {n}"}
        response = client.post(
            "/api/v1/priority/lookup", json=body, headers={"Authorization": f"Bearer {keys[who]}"}
        )
        return who, service, response.status_code, response.json()

    with TestClient(create_app()) as client, ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(ask, range(48)))

    for who, service, status, body in answers:
        if who == "housing-only" and service == "education":
            assert status == 403
            continue
        assert status == 200
        assert body["priority"] is True
        assert ("person" in body) == (who == "discloses")
    answered = sum(1 for _, _, status, _ in answers if status == 200)
    with session_scope() as session:
        recorded = session.scalar(select(func.count()).select_from(LookupRecord))
    assert recorded == answered
