"""Statutory retirement dates under the 2025 gradual raise, read from the reference data."""

from __future__ import annotations

from datetime import date

import pytest

from app.registry.retirement import retirement_date


@pytest.mark.parametrize(
    ("born", "gender", "retires"),
    [
        # Men: 60, born from January 1965 one month later per four months of birth, up to 63.
        (date(1964, 12, 10), "M", date(2024, 12, 10)),
        (date(1965, 1, 10), "M", date(2025, 2, 10)),
        (date(1965, 4, 10), "M", date(2025, 5, 10)),
        (date(1965, 5, 10), "M", date(2025, 7, 10)),
        (date(1976, 8, 10), "M", date(2039, 7, 10)),  # 62 years 11 months
        (date(1976, 9, 10), "M", date(2039, 9, 10)),  # 63: the ceiling
        (date(1990, 1, 1), "M", date(2053, 1, 1)),
        # Women workers: 50, born from January 1975 one month later per two months, up to 55.
        (date(1974, 12, 31), "F", date(2024, 12, 31)),
        (date(1975, 1, 31), "F", date(2025, 2, 28)),  # the 31st falls back to February's end
        (date(1975, 3, 1), "F", date(2025, 5, 1)),
        (date(1984, 10, 5), "F", date(2039, 9, 5)),  # 54 years 11 months
        (date(1984, 11, 5), "F", date(2039, 11, 5)),  # 55: the ceiling
    ],
)
def test_retirement_dates_follow_the_birth_month(born: date, gender: str, retires: date) -> None:
    assert retirement_date(born, gender) == retires
