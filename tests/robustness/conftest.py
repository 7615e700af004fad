"""Robustness tests. The slow ones (a real server killed and restarted, a PostgreSQL of
their own stopped and started) carry the `slow` mark: `pytest -m "not slow"` leaves them out."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: starts real servers or databases (tens of seconds)")
