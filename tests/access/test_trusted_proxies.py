"""The client address behind a reverse proxy: X-Forwarded-For is believed only from
BLUECARD_TRUSTED_PROXIES, as `bluecard serve` configures uvicorn, and rate limits count
the client it names."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.cli import proxy_options
from app.core.settings import Settings


def _statuses(app: FastAPI, peer: str, forwarded_for: list[str]) -> list[int]:
    """Public requests reaching the app, as served, from `peer`, each naming a client."""
    return anyio.run(_send, app, peer, forwarded_for)


async def _send(app: FastAPI, peer: str, forwarded_for: list[str]) -> list[int]:
    config = uvicorn.Config(app, **proxy_options())
    config.load()
    transport = httpx.ASGITransport(app=config.loaded_app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        url = app.url_path_for("signing_key_list")
        return [
            (await client.get(url, headers={"X-Forwarded-For": address})).status_code
            for address in forwarded_for
        ]


@pytest.mark.parametrize("trusted", ["10.1.2.3", "10.0.0.0/8", "192.0.2.1, 10.0.0.0/8"])
def test_a_trusted_proxy_names_the_client_the_limits_count(
    app: FastAPI, override_settings: Callable, trusted: str
) -> None:
    override_settings(trusted_proxies=trusted, rate_limit_public="1/minute")
    # Two clients behind one proxy: each has its own bucket.
    assert _statuses(app, "10.1.2.3", ["198.51.100.1", "198.51.100.2"]) == [200, 200]
    # And one client is held to its limit, whichever of the proxies it comes through.
    assert _statuses(app, "10.1.2.3", ["198.51.100.1"]) == [429]


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    app: FastAPI, override_settings: Callable
) -> None:
    override_settings(trusted_proxies="10.0.0.0/8", rate_limit_public="1/minute")
    # A stranger cannot pose as new clients to escape the limit...
    assert _statuses(app, "203.0.113.9", ["198.51.100.1", "198.51.100.2"]) == [200, 429]
    # ...nor spend a real client's bucket by naming it.
    assert _statuses(app, "10.1.2.3", ["198.51.100.1"]) == [200]


def test_the_default_trusts_loopback_only() -> None:
    assert Settings().trusted_proxies == "127.0.0.1,::1"


@pytest.mark.parametrize("value", ["proxy.example", "10.0.0.0/33", "10.0.0.1,nonsense"])
def test_a_malformed_trusted_proxy_is_refused_at_start(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUECARD_TRUSTED_PROXIES", value)
    with pytest.raises(ValueError, match="not an address or CIDR"):
        Settings()
