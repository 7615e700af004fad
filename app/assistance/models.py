"""Assistance (帮扶) for leading talents whose employer is in economic difficulty (task 11):
the case a city opens, and the services given to the talent's spouse or children."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base
from app.core.types import UTCDateTime, utcnow
from app.registry.models import Talent

_OPEN_SQL = text("status = 'open'")


class AssistanceCase(Base):
    __tablename__ = "assistance_case"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    talent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talent.id"), index=True)
    # The talent's city when the case was opened: the wall between cities.
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    employer: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | closed
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(120))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(120))
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    talent: Mapped[Talent] = relationship()
    services: Mapped[list[AssistanceService]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="AssistanceService.id"
    )
    job_seeker_rows: Mapped[list[AssistanceJobSeeker]] = relationship(
        cascade="all, delete-orphan", order_by="AssistanceJobSeeker.dependent_id"
    )

    @property
    def job_seekers(self) -> list[int]:
        return [row.dependent_id for row in self.job_seeker_rows]

    # One open case per talent: a second would split the record of what was done.
    __table_args__ = (
        Index(
            "uq_assistance_case_open_per_talent",
            "talent_id",
            unique=True,
            sqlite_where=_OPEN_SQL,
            postgresql_where=_OPEN_SQL,
        ),
    )


class AssistanceJobSeeker(Base):
    """A spouse or child the case records as wanting work and having none (有就业愿望但未就业):
    while the case is open, they have employment priority through the talent (contract)."""

    __tablename__ = "assistance_job_seeker"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assistance_case.id", ondelete="CASCADE"), primary_key=True
    )
    # A filing that replaces the dependents takes them off the list.
    dependent_id: Mapped[int] = mapped_column(
        ForeignKey("dependent.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AssistanceService(Base):
    """Career guidance, skills training or a job referral given to a registered dependent.

    The dependent's relation, name and masked ID number are copied in: a later filing may
    replace the talent's dependents, and the record of what was given must stay readable.
    """

    __tablename__ = "assistance_service"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assistance_case.id", ondelete="CASCADE"), index=True
    )
    dependent_id: Mapped[int | None] = mapped_column(
        ForeignKey("dependent.id", ondelete="SET NULL")
    )
    dependent_relation: Mapped[str] = mapped_column(String(16))
    dependent_name: Mapped[str] = mapped_column(String(50))
    dependent_id_masked: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # career_guidance | skills_training | job_referral
    service_date: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[AssistanceCase] = relationship(back_populates="services")
