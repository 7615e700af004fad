"""`GET /metrics` (contract v2): Prometheus text with requests by route template and
status, their latency, lookups by service and outcome, and the journal's backlog."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Login, reset_caches

LOOKUP = {"id_number": "34010219800101001X", "service": "housing", "purpose": "购房资格审核"}


def _samples(client: TestClient, headers: dict[str, str] | None = None) -> dict[tuple, float]:  # type: ignore[type-arg]
    answer = client.get("/metrics", headers=headers or {})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


@pytest.fixture
def metrics_token() -> Iterator[str]:
    os.environ["BLUECARD_METRICS_TOKEN"] = "scrape-secret"
    reset_caches()
    yield "scrape-secret"
    del os.environ["BLUECARD_METRICS_TOKEN"]
    reset_caches()


def test_metrics_count_requests_by_route_template_and_lookups_by_outcome(
    client: TestClient, login: Callable[..., Login]
) -> None:
    clerk = login("window_clerk")
    before = _samples(client)
    answer = client.post("/api/v1/priority/lookup", json=LOOKUP, headers=clerk.headers)
    assert answer.status_code == 200, answer.text
    after = _samples(client)

    route = (("method", "POST"), ("route", "/api/v1/priority/lookup"), ("status", "200"))
    requests = ("bluecard_http_requests_total", route)
    assert after[requests] - before.get(requests, 0) == 1
    count = ("bluecard_http_request_duration_seconds_count", route)
    assert after[count] - before.get(count, 0) == 1
    lookups = ("bluecard_lookups_total", (("outcome", "no_priority"), ("service", "housing")))
    assert after[lookups] - before.get(lookups, 0) == 1
    assert after[("bluecard_lookup_journal_backlog_rows", ())] >= 0


def test_metrics_use_the_route_template_not_the_path(client: TestClient) -> None:
    client.get("/api/v1/public/verify/LT-NEVER-ISSUED")
    samples = _samples(client)
    routes = {dict(labels).get("route") for _name, labels in samples}
    assert "/api/v1/public/verify/{marker_code}" in routes
    assert not any(route and "LT-NEVER-ISSUED" in route for route in routes)


def test_metrics_token_is_required_when_set(client: TestClient, metrics_token: str) -> None:
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _samples(client, {"Authorization": f"Bearer {metrics_token}"})


def test_metrics_count_rate_limit_refusals_and_show_the_pool(
    client: TestClient, override_settings: Callable[..., None]
) -> None:
    override_settings(rate_limit_public="2/minute")
    before = _samples(client)
    answers = [client.get("/api/v1/public/verify/LT-NEVER-ISSUED").status_code for _ in range(3)]
    assert answers[-1] == 429
    after = _samples(client)
    refusals = ("bluecard_rate_limit_refusals_total", (("limit", "public"),))
    assert after[refusals] - before.get(refusals, 0) == 1
    assert after[("bluecard_db_pool_size", ())] >= 1
    assert after[("bluecard_db_pool_in_use", ())] >= 0


def test_metrics_give_the_age_of_the_last_whole_audit_verification(
    fresh_database_url: str,
) -> None:
    from app.core import audit
    from app.core.db import session_scope
    from app.main import create_app

    with session_scope() as session:
        audit.record(session, audit.SYSTEM, "test.event", "test:1", {})
    with session_scope() as session:
        audit.remember_verified(session, audit.verify(session, full=True))
    age = _samples(TestClient(create_app()))[("bluecard_audit_verified_age_seconds", ())]
    assert 0 <= age < 600
