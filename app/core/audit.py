"""The tamper-evident audit trail: an append-only hash chain.

Each event stores the SHA-256 of (previous hash + its own canonical content). The head
row (`audit_head`) is updated first in every append, so concurrent writers queue on its
row lock (PostgreSQL) or the write lock (SQLite) and the chain can never fork. Events are
written in the same transaction as the change they record.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import Base
from app.core.free_text import mask_id_shaped
from app.core.types import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target: Mapped[str] = mapped_column(String(200), index=True)
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class Actor(Protocol):
    @property
    def actor_id(self) -> str: ...

    @property
    def actor_role(self) -> str: ...


@dataclass(frozen=True)
class NamedActor:
    actor_id: str
    actor_role: str


SYSTEM = NamedActor("system", "system")


def shell_actor(role: str = "operator") -> NamedActor:
    """The person at the server's shell (a CLI command), as the audit chain names them."""
    try:
        return NamedActor(f"cli:{getpass.getuser()}", role)
    except (KeyError, OSError):  # no login name (a container's bare uid)
        return NamedActor("cli:unknown", role)


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    events: int
    head: str
    first_bad_seq: int | None = None


def record(
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    # Callers never pass ID numbers, but free text (a reason typed by a person) may hold one:
    # whatever looks like one is masked before it is chained, so it can never be stored.
    detail_json = mask_id_shaped(_canonical(dict(detail or {})))
    target = mask_id_shaped(target)
    seq, prev_hash = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one()
    event = AuditEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor=actor.actor_id,
        role=actor.actor_role,
        action=action,
        target=target,
        detail=detail_json,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=event.hash))
    return event


def verify(session: Session) -> ChainStatus:
    """Walk the chain from genesis; any altered, removed or reordered event breaks it."""
    prev, expected_seq, count = GENESIS, 1, 0
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    )
    for event in rows.scalars():
        if event.seq != expected_seq or event.prev_hash != prev or event_hash(event) != event.hash:
            return ChainStatus(False, count, prev, first_bad_seq=expected_seq)
        prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, 1)
    if head is None or head.seq != count or head.hash != prev:
        return ChainStatus(False, count, prev, first_bad_seq=count + 1)
    return ChainStatus(True, count, prev)


def event_hash(event: AuditEvent) -> str:
    content = _canonical(
        {
            "seq": event.seq,
            "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
            "actor": event.actor,
            "role": event.role,
            "action": event.action,
            "target": event.target,
            "detail": event.detail,
        }
    )
    return hashlib.sha256((event.prev_hash + content).encode()).hexdigest()


def _canonical(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
