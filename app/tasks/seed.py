"""Load the 25 key tasks from `seed/tasks.json`, the file transcribed from the notice.

Called after every upgrade (`app/core/migrate.py`), so the table always matches the seed
of the release. Rows are updated in place, never deleted: reports point at them.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from app.core.reference import SEED_DIR
from app.tasks.models import KeyTask


@lru_cache
def seed_tasks() -> tuple[dict[str, Any], ...]:
    with (SEED_DIR / "tasks.json").open(encoding="utf-8") as f:
        return tuple(json.load(f)["tasks"])


def sync_key_tasks(session: Session) -> None:
    for row in seed_tasks():
        task = session.get(KeyTask, row["number"]) or KeyTask(number=row["number"])
        task.task = row["task"]
        task.lead_units = list(row["lead_units"])
        task.lead_units_text = row["lead_units_text"]
        task.cooperating_units = list(row["cooperating_units"])
        task.cooperating_units_text = row["cooperating_units_text"]
        task.deadline_text = row["deadline_text"]
        task.deadline_kind = row["deadline_kind"]
        task.deadline_date = _date_or_none(row.get("deadline_date"))
        task.deadline_month = row.get("deadline_month")
        session.add(task)
    session.flush()


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
