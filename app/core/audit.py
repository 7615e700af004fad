"""The tamper-evident audit trail: an append-only chain of keyed MACs.

Each event stores HMAC-SHA256(audit key, previous hash + its own canonical content). The
audit key comes from the key ring (`KeyRing.audit_key`), never from the database, so
whoever can write to the database but has not the key file cannot recompute the chain
after editing, inserting or reordering events. The head row (`audit_head`) is updated
first in every append, so concurrent writers queue on its row lock (PostgreSQL) or the
write lock (SQLite) and the chain can never fork. Events are written in the same
transaction as the change they record.

Chains begun before the key: events below `audit_head.keyed_from` (set by migration 0012
to the head at the upgrade, plus one) keep their plain SHA-256 links and are checked as
such; every later event is MAC'd, and the first MAC'd event's MAC covers the last plain
hash, so the plain part cannot be rewritten either once one keyed event follows it.

What a MAC cannot show is events cut off the end (or the keyed start moved past them):
for that, the head is anchored outside the database (`audit_anchor.py`), and each
successful verification leaves a checkpoint, MAC'd too, that later ones start from and
that a shortened chain contradicts.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import Base
from app.core.free_text import mask_id_shaped
from app.core.keys import get_keyring
from app.core.types import UTCDateTime, utcnow

GENESIS = "0" * 64
# Checkpoints read back when looking for the latest one that is genuine.
_CHECKPOINTS_TRIED = 20


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
    # The first event linked by MAC; those before it are plain SHA-256 (older chains).
    keyed_from: Mapped[int] = mapped_column(BigInteger)


class AuditCheckpoint(Base):
    """A point up to which the chain verified: where the next verification starts."""

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    keyed_from: Mapped[int] = mapped_column(BigInteger)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # MAC of the three above: a checkpoint cannot be forged or moved without the key.
    tag: Mapped[str] = mapped_column(String(64))


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
    # Why it does not hold, in a sentence for the operator.
    problem: str | None = None
    # The checkpoint the walk started from (0: genesis).
    verified_from: int = 0
    keyed_from: int = 1


@dataclass(frozen=True)
class Anchor:
    """A head kept outside the database: the chain had `count` events ending in `head`."""

    count: int
    head: str
    keyed_from: int


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
    seq, prev_hash, keyed_from = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash, AuditHead.keyed_from)
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
    event.hash = event_hash(event, _chain_key() if seq >= keyed_from else None)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=event.hash))
    return event


def verify(session: Session, *, anchor: Anchor | None = None, full: bool = False) -> ChainStatus:
    """Walk the chain from the latest genuine checkpoint (from genesis when `full` or when
    there is none): any altered, inserted, removed or reordered event breaks it; with an
    `anchor`, so does any event cut off since the anchor was made."""
    key = _chain_key()
    head = session.get(AuditHead, 1)
    if head is None:
        return ChainStatus(False, 0, GENESIS, 1, "the chain's head row is missing")
    keyed_from = head.keyed_from
    start_seq, prev = 0, GENESIS
    if not full:
        checkpoint = _latest_checkpoint(session, key)
        if checkpoint is not None:
            refused = _contradicts(session, checkpoint, head)
            if refused is not None:
                return refused
            start_seq, prev = checkpoint.seq, checkpoint.hash

    expected_seq = start_seq + 1
    rows = session.execute(
        select(AuditEvent)
        .where(AuditEvent.seq > start_seq)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=2000)
    )
    for event in rows.scalars():
        mac_key = key if event.seq >= keyed_from else None
        if (
            event.seq != expected_seq
            or event.prev_hash != prev
            or not hmac.compare_digest(event_hash(event, mac_key), event.hash)
        ):
            problem = f"event {expected_seq} was altered, inserted, removed or moved"
            return _broken(expected_seq - 1, prev, expected_seq, problem, start_seq, keyed_from)
        prev, expected_seq = event.hash, expected_seq + 1
    count = expected_seq - 1
    if head.seq != count or head.hash != prev:
        problem = "the head does not match the last event"
        return _broken(count, prev, count + 1, problem, start_seq, keyed_from)
    if anchor is not None:
        refused = _against_anchor(session, anchor, count, prev, keyed_from)
        if refused is not None:
            return refused
    return ChainStatus(True, count, prev, verified_from=start_seq, keyed_from=keyed_from)


def remember_verified(session: Session, status: ChainStatus) -> None:
    """Leave a checkpoint at the head of a chain that verified, for the next walk to start
    from (and for a later, shortened chain to contradict)."""
    if not status.ok or status.events == 0:
        return
    reached = session.get(AuditCheckpoint, status.events)
    if reached is not None:
        reached.verified_at = utcnow()  # not in the tag: when, not what, was verified
        return
    session.add(
        AuditCheckpoint(
            seq=status.events,
            hash=status.head,
            keyed_from=status.keyed_from,
            verified_at=utcnow(),
            tag=_checkpoint_tag(_chain_key(), status.events, status.head, status.keyed_from),
        )
    )


def event_hash(event: AuditEvent, key: bytes | None) -> str:
    """The event's link: HMAC-SHA256 under the audit key, or plain SHA-256 without one
    (events from before the chain was keyed)."""
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
    data = (event.prev_hash + content).encode()
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _latest_checkpoint(session: Session, key: bytes) -> AuditCheckpoint | None:
    """The latest checkpoint whose tag is genuine; forged or altered ones are passed over
    (at worst the walk starts earlier)."""
    candidates = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(_CHECKPOINTS_TRIED)
    )
    for checkpoint in candidates:
        expected = _checkpoint_tag(key, checkpoint.seq, checkpoint.hash, checkpoint.keyed_from)
        if hmac.compare_digest(expected, checkpoint.tag):
            return checkpoint
    return None


def _contradicts(
    session: Session, checkpoint: AuditCheckpoint, head: AuditHead
) -> ChainStatus | None:
    """A genuine checkpoint the chain no longer agrees with: events were cut off or
    rewritten at or before it, or the keyed start was moved."""
    keyed_from = head.keyed_from
    if checkpoint.keyed_from != keyed_from:
        problem = f"the keyed start moved from event {checkpoint.keyed_from} to {keyed_from}"
        return _broken(0, GENESIS, min(checkpoint.keyed_from, keyed_from), problem, 0, keyed_from)
    if head.seq < checkpoint.seq:
        problem = f"events after {head.seq} were removed (the chain verified to {checkpoint.seq})"
        return _broken(head.seq, head.hash, head.seq + 1, problem, 0, keyed_from)
    stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == checkpoint.seq))
    if stored != checkpoint.hash:
        problem = f"event {checkpoint.seq}, verified before, was altered or removed"
        return _broken(0, GENESIS, checkpoint.seq, problem, 0, keyed_from)
    return None


def _against_anchor(
    session: Session, anchor: Anchor, count: int, head_hash: str, keyed_from: int
) -> ChainStatus | None:
    if anchor.keyed_from != keyed_from:
        problem = f"the keyed start moved from event {anchor.keyed_from} (the anchor's)"
        return _broken(count, head_hash, min(anchor.keyed_from, keyed_from), problem, 0, keyed_from)
    if count < anchor.count:
        problem = f"events {count + 1} to {anchor.count}, anchored, were removed"
        return _broken(count, head_hash, count + 1, problem, 0, keyed_from)
    anchored = (
        GENESIS
        if anchor.count == 0
        else session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == anchor.count))
    )
    if anchored != anchor.head:
        problem = f"the chain up to event {anchor.count}, anchored, was rewritten"
        return _broken(count, head_hash, anchor.count, problem, 0, keyed_from)
    return None


def _broken(
    count: int, head: str, bad: int, problem: str, start: int, keyed_from: int
) -> ChainStatus:
    return ChainStatus(False, count, head, bad, problem, start, keyed_from)


def _checkpoint_tag(key: bytes, seq: int, chain_hash: str, keyed_from: int) -> str:
    message = f"audit-checkpoint|{seq}|{chain_hash}|{keyed_from}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _chain_key() -> bytes:
    return get_keyring().audit_key()


def _canonical(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
