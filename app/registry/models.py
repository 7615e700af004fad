"""The filed records of leading talents, their honours, dependents and markers, and the
blue-card pool the markers are loaded onto.

ID numbers are never stored in clear: `*_cipher` holds the AES-GCM ciphertext (with its
key id) and `id_hash` the keyed blind index used for exact lookups.

A talent's blue card is found through that index (`Talent.cards`), not a stored link, so a
card imported after the talent was filed, or a talent filed after the card, is linked with
no extra write on either side.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base
from app.core.types import UTCDateTime, time_ordered_uuid, utcnow


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

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=time_ordered_uuid)
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
    # The version of the eligibility rules (eligibility.RULES_VERSION) that decided `eligible`.
    rules_version: Mapped[str] = mapped_column(String(32))
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
    cards: Mapped[list[BlueCard]] = relationship(
        primaryjoin="Talent.id_hash == foreign(BlueCard.id_hash)",
        viewonly=True,
        order_by="BlueCard.id",
    )

    # The ETag: a concurrent update with a stale version fails instead of overwriting. The
    # services bump `version` themselves, once per recorded change, so each TalentVersion
    # row carries the number the record has after that change.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    @property
    def card(self) -> BlueCard | None:
        """The card the marker is loaded onto: the one the city named, else the latest issued."""
        named = [card for card in self.cards if card.card_no == self.card_no]
        if named:
            return named[0]
        return max(self.cards, key=lambda card: (card.issued_on or date.min, card.id), default=None)


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

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=time_ordered_uuid)
    talent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talent.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Stored: active | suspended | revoked. `expired` is derived from valid_until.
    status: Mapped[str] = mapped_column(String(16))
    granted_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(300))
    # What made the last status change: `eligibility` (a filed or edited record became
    # eligible or not) or `admin` (a deliberate suspend, reinstate or revoke). A record that
    # is eligible again gets back a marker its eligibility withdrew, never one an admin revoked.
    change_source: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    talent: Mapped[Talent] = relationship(back_populates="marker")


class TalentVersion(Base):
    """One change to a record or its marker: who, when, why, and field by field what."""

    __tablename__ = "talent_version"
    __table_args__ = (UniqueConstraint("talent_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # Found by the unique (talent_id, version) index: no index of its own.
    talent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talent.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16))  # submission | admin | system
    submission_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(300))
    # {"field": [before, after]}; ID numbers appear masked only.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
