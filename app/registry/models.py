"""The filed records of leading talents, their honours, dependents and markers, and the
blue-card pool the markers are loaded onto.

ID numbers are never stored in clear: `*_cipher` holds the AES-GCM ciphertext (with its
key id) and `id_hash` the keyed blind index used for exact lookups.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base
from app.core.types import UTCDateTime, utcnow


class BlueCard(Base):
    """An entry of the provincial skilled-worker blue-card pool; most are not leading talents."""

    __tablename__ = "blue_card"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    card_no: Mapped[str] = mapped_column(String(32), unique=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_cipher: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(50))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    occupation: Mapped[str | None] = mapped_column(String(100))
    skill_level: Mapped[str | None] = mapped_column(String(32))
    issued_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Talent(Base):
    __tablename__ = "talent"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_cipher: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(50), index=True)
    gender: Mapped[str] = mapped_column(String(1))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    employer: Mapped[str] = mapped_column(String(200))
    employer_uscc: Mapped[str | None] = mapped_column(String(18))
    occupation: Mapped[str] = mapped_column(String(100))
    skill_level: Mapped[str] = mapped_column(String(32))
    card_no: Mapped[str | None] = mapped_column(String(32), index=True)
    frontline_since: Mapped[int | None] = mapped_column(Integer)
    contribution_met: Mapped[bool] = mapped_column(Boolean, default=False)
    contribution_note: Mapped[str | None] = mapped_column(Text)
    skill_performance_met: Mapped[bool] = mapped_column(Boolean, default=False)
    skill_performance_note: Mapped[str | None] = mapped_column(Text)
    frontline_met: Mapped[bool] = mapped_column(Boolean, default=False)
    frontline_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="filed")  # filed | retired
    retired_reason: Mapped[str | None] = mapped_column(String(200))
    eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    first_filed_on: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    last_submission_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    honors: Mapped[list[Honor]] = relationship(
        back_populates="talent", cascade="all, delete-orphan", order_by="Honor.position"
    )
    dependents: Mapped[list[Dependent]] = relationship(
        back_populates="talent", cascade="all, delete-orphan", order_by="Dependent.position"
    )
    marker: Mapped[Marker | None] = relationship(back_populates="talent", uselist=False)

    # The ETag: a concurrent update with a stale version fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Honor(Base):
    __tablename__ = "honor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talent.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    conferred_by: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    certificate_no: Mapped[str | None] = mapped_column(String(100))

    talent: Mapped[Talent] = relationship(back_populates="honors")


class Dependent(Base):
    """A registered spouse or child of a talent, entitled to some services."""

    __tablename__ = "dependent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talent.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    relation: Mapped[str] = mapped_column(String(16))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_cipher: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(50))

    talent: Mapped[Talent] = relationship(back_populates="dependents")


class Marker(Base):
    """The special marker (特殊标识) on a talent's blue-card entry."""

    __tablename__ = "marker"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    talent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talent.id", ondelete="CASCADE"), unique=True
    )
    card_id: Mapped[int | None] = mapped_column(ForeignKey("blue_card.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Stored: active | suspended | revoked. `expired` is derived from valid_until.
    status: Mapped[str] = mapped_column(String(16))
    granted_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(300))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    talent: Mapped[Talent] = relationship(back_populates="marker")
    card: Mapped[BlueCard | None] = relationship()


class TalentVersion(Base):
    """One change to a record or its marker: who, when, why, and field by field what."""

    __tablename__ = "talent_version"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    talent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talent.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16))  # submission | admin | system
    submission_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(300))
    # {"field": [before, after]}; ID numbers appear masked only.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
