"""A clean rate limiter for each public test, counting under this run's own prefix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from app.access.ratelimit import Limiter, reset_limiter

RUN_KEY_PREFIX = f"bluecard-public-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def limiter() -> Iterator[Limiter]:
    yield reset_limiter(key_prefix=RUN_KEY_PREFIX)
    reset_limiter(key_prefix=RUN_KEY_PREFIX)
