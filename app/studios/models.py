"""Direct project reporting (项目直报): a leading talent's application for a provincial,
personally led studio, and the studios established when the province approves one."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base
from app.core.types import UTCDateTime, utcnow
from app.registry.models import Talent

# An application is open until the province decides it.
OPEN_STATUSES = ("submitted", "in_review")
_OPEN_SQL = text("status IN ('submitted', 'in_review')")


class StudioApplication(Base):
    __tablename__ = "studio_application"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    talent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talent.id"), index=True)
    # The talent's city when the application was entered: the wall between cities.
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    project_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    host_employer: Mapped[str] = mapped_column(String(200))
    host_uscc: Mapped[str] = mapped_column(String(18))
    plan_summary: Mapped[str] = mapped_column(Text)
    # [{"name": ..., "description": ...}]: the list of attachments handed in.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # submitted | in_review | approved | rejected
    status: Mapped[str] = mapped_column(String(16), index=True)
    submitted_by: Mapped[str] = mapped_column(String(120))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    talent: Mapped[Talent] = relationship()
    studio: Mapped[Studio | None] = relationship(back_populates="application", uselist=False)

    # A talent leads at most one open application of each type; the database holds the line
    # even when two clerks enter the same application at once.
    __table_args__ = (
        Index(
            "uq_studio_application_open_per_type",
            "talent_id",
            "project_type",
            unique=True,
            sqlite_where=_OPEN_SQL,
            postgresql_where=_OPEN_SQL,
        ),
    )


class Studio(Base):
    """A studio established by an approved application, in the batch of its year (task 19)."""

    __tablename__ = "studio"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("studio_application.id"), unique=True
    )
    talent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talent.id"), index=True)
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    project_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    host_employer: Mapped[str] = mapped_column(String(200))
    batch_year: Mapped[int] = mapped_column(Integer, index=True)
    established_on: Mapped[date] = mapped_column(Date)

    application: Mapped[StudioApplication] = relationship(back_populates="studio")
    talent: Mapped[Talent] = relationship()
