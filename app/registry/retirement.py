"""Statutory retirement dates, from the birth date and sex an ID number carries.

The rule is reference data (`seed/retirement-ages.csv`), because it changes: from 2025 the
NPC Standing Committee's decision on gradually raising the retirement age delays it by
birth month, one month per few months of birth, up to a ceiling. Leading skilled talents
are workers, so women's base age is the workers' 50, not the cadres' 55.
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

RULES_FILE = Path(__file__).resolve().parents[2] / "seed" / "retirement-ages.csv"


@dataclass(frozen=True)
class RetirementRule:
    base_age_years: int
    reform_from: date  # the first birth month whose retirement is delayed
    birth_months_per_step: int
    max_delay_months: int

    def retirement_date(self, born: date) -> date:
        """The day the person reaches the statutory age, delay included."""
        months = (born.year - self.reform_from.year) * 12 + born.month - self.reform_from.month
        delay = 0
        if months >= 0:
            delay = min(self.max_delay_months, months // self.birth_months_per_step + 1)
        return _add_months(born, self.base_age_years * 12 + delay)


@lru_cache
def retirement_rules() -> dict[str, RetirementRule]:
    """Gender (M | F) -> its rule."""
    with RULES_FILE.open(encoding="utf-8", newline="") as file:
        return {
            row["gender"]: RetirementRule(
                base_age_years=int(row["base_age_years"]),
                reform_from=date.fromisoformat(row["reform_from_birth_month"] + "-01"),
                birth_months_per_step=int(row["birth_months_per_step"]),
                max_delay_months=int(row["max_delay_months"]),
            )
            for row in csv.DictReader(file)
        }


def retirement_date(born: date, gender: str) -> date:
    return retirement_rules()[gender].retirement_date(born)


def _add_months(day: date, months: int) -> date:
    """`day` plus whole months; the 31st of a shorter month falls back to its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
