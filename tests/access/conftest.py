"""Fixtures of the access tests: a clean rate limiter per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from app.access.ratelimit import Limiter, reset_limiter

# Redis is shared by every run and worker: each run counts under its own prefix.
RUN_KEY_PREFIX = f"bluecard-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def limiter() -> Iterator[Limiter]:
    yield reset_limiter(key_prefix=RUN_KEY_PREFIX)
    reset_limiter(key_prefix=RUN_KEY_PREFIX)
