"""Rate limits over the `limits` library: counters in process, or in Redis when
`BLUECARD_REDIS_URL` is set so that every worker and host shares them.

If Redis cannot be reached the service keeps answering: counting falls back to memory
(per process, so limits hold only loosely) and Redis is tried again after a pause.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from app.core.errors import TooManyRequests
from app.core.metrics import RATE_LIMITED
from app.core.openapi_doc import answers
from app.core.settings import get_settings

log = logging.getLogger("bluecard.ratelimit")

DEFAULT_KEY_PREFIX = "bluecard"
# How long to count in memory before trying an unreachable Redis again.
_REDIS_RETRY_SECONDS = 30.0
_REDIS_TIMEOUT_SECONDS = 0.5


class Limiter:
    """A moving-window limiter on shared storage, with an in-memory stand-in."""

    def __init__(self, redis_url: str | None, key_prefix: str = DEFAULT_KEY_PREFIX) -> None:
        self.key_prefix = key_prefix
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self._retry_shared_at = 0.0
        if redis_url:
            storage = RedisStorage(
                redis_url,
                key_prefix=key_prefix,
                wrap_exceptions=True,
                socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
                socket_timeout=_REDIS_TIMEOUT_SECONDS,
            )
            self._shared = MovingWindowRateLimiter(storage)
            if not storage.check():
                self._fall_back("unreachable at start")

    @property
    def uses_redis(self) -> bool:
        return self._live_shared() is not None

    def hit(self, key: str, item: RateLimitItem, cost: int = 1) -> float | None:
        """Count `cost` hits; None when allowed, else the seconds to wait before retrying
        (a refused hit counts nothing)."""
        shared = self._live_shared()
        if shared is not None:
            try:
                return _hit(shared, item, key, cost)
            except StorageError:
                self._fall_back("error while counting")
        return _hit(self._memory, item, key, cost)

    def reset(self) -> None:
        """Forget every counter (tests)."""
        self._memory.storage.reset()
        if self._shared is not None:
            try:
                self._shared.storage.reset()
            except StorageError:
                self._fall_back("error while resetting")

    def _live_shared(self) -> MovingWindowRateLimiter | None:
        if self._shared is None or time.monotonic() < self._retry_shared_at:
            return None
        return self._shared

    def _fall_back(self, reason: str) -> None:
        self._retry_shared_at = time.monotonic() + _REDIS_RETRY_SECONDS
        log.warning(
            "redis rate-limit storage unavailable; counting in memory",
            extra={"reason": reason, "retry_in_seconds": _REDIS_RETRY_SECONDS},
        )


_lock = threading.Lock()
_limiter: Limiter | None = None


def get_limiter() -> Limiter:
    global _limiter
    with _lock:
        if _limiter is None:
            _limiter = Limiter(get_settings().redis_url)
        return _limiter


def reset_limiter(*, key_prefix: str = DEFAULT_KEY_PREFIX) -> Limiter:
    """Clear every counter and rebuild the limiter from the current settings (tests)."""
    global _limiter
    with _lock:
        if _limiter is not None:
            _limiter.reset()
        _limiter = Limiter(get_settings().redis_url, key_prefix=key_prefix)
        _limiter.reset()
        return _limiter


def hit_or_raise(key: str, limit: str, cost: int = 1) -> None:
    """Count `cost` calls under `key`; raise 429 with `Retry-After` when over `limit`
    (a `limits` string such as "10/minute")."""
    wait = get_limiter().hit(key, _parse(limit), cost)
    if wait is not None:
        RATE_LIMITED.labels(limit=key.partition(":")[0]).inc()
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"请求过于频繁，请 {seconds} 秒后再试。", headers={"Retry-After": str(seconds)}
        )


def charge_lookups(credential_id: object, count: int) -> None:
    """A batch of `count` numbers: against the credential's quota of numbers looked up in
    batches (what makes a sweep cheap), and as `count` requests against its per-request
    limit (admission counted one). A single lookup is one request, counted at admission:
    the hot path pays no second counter."""
    settings = get_settings()
    hit_or_raise(f"ids:{credential_id}", settings.rate_limit_ids, count)
    if count > 1:
        hit_or_raise(f"credential:{credential_id}", settings.rate_limit_credential, count - 1)


def client_address(request: Request) -> str:
    # Behind a proxy, uvicorn's proxy_headers has already put the real client here.
    return request.client.host if request.client else "unknown"


@answers(429)
def limit_public_caller(request: Request) -> None:
    hit_or_raise(f"public:{client_address(request)}", get_settings().rate_limit_public)


PublicRateLimit = Annotated[None, Depends(limit_public_caller)]


@lru_cache(maxsize=64)
def _parse(limit: str) -> RateLimitItem:
    return parse(limit)


def _hit(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, key: str, cost: int
) -> float | None:
    if cost > item.amount:  # could never pass: wait for the whole window
        return float(item.get_expiry())
    if limiter.hit(item, key, cost=cost):
        return None
    reset_at = limiter.get_window_stats(item, key).reset_time
    return max(0.0, reset_at - time.time())
