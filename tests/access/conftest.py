"""Fixtures of the access tests: a clean rate limiter per test, and settings overrides."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from app.access.ratelimit import Limiter, reset_limiter
from app.core.settings import get_settings

# Redis is shared by every run and worker: each run counts under its own prefix.
RUN_KEY_PREFIX = f"bluecard-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def limiter() -> Iterator[Limiter]:
    yield reset_limiter(key_prefix=RUN_KEY_PREFIX)
    reset_limiter(key_prefix=RUN_KEY_PREFIX)


@pytest.fixture
def override_settings() -> Iterator[Callable[..., None]]:
    """Set `BLUECARD_*` variables for one test (`override_settings(login_max_failures=3)`)."""
    saved: dict[str, str | None] = {}

    def override(**values: object) -> None:
        for name, value in values.items():
            variable = f"BLUECARD_{name.upper()}"
            saved.setdefault(variable, os.environ.get(variable))
            os.environ[variable] = str(value)
        get_settings.cache_clear()

    yield override
    for variable, value in saved.items():
        if value is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = value
    get_settings.cache_clear()
