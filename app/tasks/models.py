"""The notice's 25 key tasks (重点任务分工表) and the progress reported on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.types import UTCDateTime, utcnow


class KeyTask(Base):
    """One row of the table, as `seed/tasks.json` transcribes it (synced after each upgrade)."""

    __tablename__ = "key_task"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    task: Mapped[str] = mapped_column(Text)
    lead_units: Mapped[list[str]] = mapped_column(JSON)
    lead_units_text: Mapped[str] = mapped_column(String(200))
    cooperating_units: Mapped[list[str]] = mapped_column(JSON)
    cooperating_units_text: Mapped[str] = mapped_column(String(200))
    deadline_text: Mapped[str] = mapped_column(String(50))
    # fixed_date | yearly_by_month | long_term | event_dependent
    deadline_kind: Mapped[str] = mapped_column(String(20))
    deadline_date: Mapped[date | None] = mapped_column(Date)
    deadline_month: Mapped[int | None] = mapped_column(Integer)


class TaskReport(Base):
    """A progress report from a responsible unit, recorded by the province."""

    __tablename__ = "task_report"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    task_number: Mapped[int] = mapped_column(ForeignKey("key_task.number"), index=True)
    report_date: Mapped[date] = mapped_column(Date)
    # The year whose deadline this report answers (yearly tasks build a batch every year).
    period_year: Mapped[int] = mapped_column(Integer)
    reporting_unit: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # in_progress | done
    percent: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
