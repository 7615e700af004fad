"""Rate limits: per credential, on the token endpoint, for public routes; memory and Redis."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from limits import parse
from sqlalchemy.orm import Session

from app.access import service
from app.access.ratelimit import Limiter, PublicRateLimit, hit_or_raise, reset_limiter
from app.core.audit import SYSTEM
from app.core.errors import TooManyRequests
from app.core.problems import install_error_handlers
from tests.access.conftest import RUN_KEY_PREFIX

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "Shift-Start-0800"


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest, override_settings: Callable) -> Iterator[str]:
    """Run a test once counting in memory and once counting in Redis."""
    if request.param == "redis":
        override_settings(redis_url=REDIS_URL)
    limiter = reset_limiter(key_prefix=RUN_KEY_PREFIX)
    assert limiter.uses_redis is (request.param == "redis")
    yield request.param
    limiter.reset()


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get(client.app.url_path_for("me_get"), headers=headers).status_code


def test_each_credential_has_its_own_limit(
    storage: str,
    client: TestClient,
    db: Session,
    login: Callable,
    partner_login: Callable,
    override_settings: Callable,
) -> None:
    override_settings(rate_limit_credential="3/minute")
    clerk, partner = login("window_clerk"), partner_login(["priority:housing"])
    db.commit()
    assert [_me(client, clerk.headers) for _ in range(3)] == [200, 200, 200]
    refused = client.get(client.app.url_path_for("me_get"), headers=clerk.headers)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _me(client, partner.headers) == 200


def test_token_endpoint_is_limited_per_username(
    storage: str, client: TestClient, db: Session, override_settings: Callable
) -> None:
    override_settings(rate_limit_login="2/minute", login_max_failures=100)
    service.create_user(db, SYSTEM, username="clerk.zhao", password=PASSWORD, role="window_clerk")
    db.commit()
    url = client.app.url_path_for("token_issue")
    for _ in range(2):
        client.post(url, data={"username": "clerk.zhao", "password": "Wrong-Password-1"})
    refused = client.post(url, data={"username": "clerk.zhao", "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


def test_token_endpoint_is_limited_per_client_address(
    storage: str, client: TestClient, override_settings: Callable
) -> None:
    override_settings(rate_limit_login="3/minute")
    url = client.app.url_path_for("token_issue")
    answers = [
        client.post(url, data={"username": f"guess{i}", "password": "x"}).status_code
        for i in range(4)
    ]
    assert answers == [401, 401, 401, 429]


def test_public_routes_are_limited_per_client_address(
    storage: str, override_settings: Callable
) -> None:
    override_settings(rate_limit_public="2/minute")
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/open")
    def open_route(_limit: PublicRateLimit) -> dict[str, bool]:
        return {"ok": True}

    with TestClient(app) as client:
        answers = [client.get("/open") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["content-type"] == "application/problem+json"
    assert "retry-after" in answers[2].headers


def test_hit_or_raise_counts_each_key_apart(storage: str) -> None:
    hit_or_raise("test:a", "1/hour")
    hit_or_raise("test:b", "1/hour")
    with pytest.raises(TooManyRequests) as refused:
        hit_or_raise("test:a", "1/hour")
    assert 3500 <= int(refused.value.headers["Retry-After"]) <= 3600


def test_redis_counters_are_shared_between_workers() -> None:
    first, second = Limiter(REDIS_URL, RUN_KEY_PREFIX), Limiter(REDIS_URL, RUN_KEY_PREFIX)
    item = parse("2/minute")
    try:
        assert first.hit("shared", item) is None
        assert second.hit("shared", item) is None
        assert first.hit("shared", item) is not None
        keys = redis.Redis.from_url(REDIS_URL).keys(f"{RUN_KEY_PREFIX}:*")
        assert keys, "the counters live in Redis under the run's prefix"
    finally:
        first.reset()


def test_unreachable_redis_falls_back_to_memory_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bluecard.ratelimit"):
        limiter = Limiter("redis://127.0.0.1:1/0", RUN_KEY_PREFIX)
    assert not limiter.uses_redis
    assert any("unavailable" in r.getMessage() for r in caplog.records)
    item = parse("1/minute")
    assert limiter.hit("k", item) is None
    assert limiter.hit("k", item) is not None


@pytest.fixture
def own_redis_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A Redis server of this test's own, on a free port, so the test may stop it."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield server, f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait()


def test_redis_failing_while_serving_falls_back_to_memory(
    own_redis_server: tuple[subprocess.Popen[bytes], str], caplog: pytest.LogCaptureFixture
) -> None:
    server, url = own_redis_server
    limiter = Limiter(url, RUN_KEY_PREFIX)
    item = parse("1/minute")
    assert limiter.uses_redis
    assert limiter.hit("k", item) is None
    server.terminate()
    server.wait()
    with caplog.at_level(logging.WARNING, logger="bluecard.ratelimit"):
        assert limiter.hit("k", item) is None, "counted afresh in memory"
    assert not limiter.uses_redis
    assert any("unavailable" in r.getMessage() for r in caplog.records)
    assert limiter.hit("k", item) is not None


def test_service_keeps_answering_when_redis_is_unreachable(
    client: TestClient, db: Session, login: Callable, override_settings: Callable
) -> None:
    override_settings(redis_url="redis://127.0.0.1:1/0")
    reset_limiter(key_prefix=RUN_KEY_PREFIX)
    clerk = login("window_clerk")
    db.commit()
    assert _me(client, clerk.headers) == 200
