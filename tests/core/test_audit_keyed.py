"""The audit chain against someone who can write to the database but holds no key: the
issue's reproduction (edit an event, recompute the hashes, drop the last three), chains
begun before the key, checkpoints, and anchors."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import SYSTEM, Anchor, AuditCheckpoint, AuditEvent, AuditHead
from app.core.audit_anchor import AnchorForged, AnchorUnreadable, make_anchor, read_anchor
from app.core.keys import get_keyring
from app.core.signing import SigningKeys


def _append(db: Session, n: int) -> None:
    for i in range(n):
        audit.record(db, SYSTEM, "test.event", f"thing:{i}", {"i": i})
    db.flush()


def _head(db: Session) -> AuditHead:
    head = db.get(AuditHead, 1)
    assert head is not None
    return head


def _rechain_from(db: Session, seq: int, key: bytes | None) -> None:
    """What an attacker does after editing event `seq`: recompute every link from there
    on (plain SHA-256, or a MAC under a key of their own) and move the head."""
    events = db.scalars(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq))
    prev = db.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) or audit.GENESIS
    last = None
    for event in events:
        event.prev_hash = prev
        event.hash = prev = audit.event_hash(event, key)
        last = event
    assert last is not None
    db.execute(update(AuditHead).values(seq=last.seq, hash=last.hash))
    db.flush()
    db.expire_all()


def _drop_last(db: Session, n: int) -> None:
    """Cut the last `n` events off and point the head at the new last one."""
    head = _head(db)
    db.execute(delete(AuditEvent).where(AuditEvent.seq > head.seq - n))
    new_last = db.scalar(select(AuditEvent.hash).where(AuditEvent.seq == head.seq - n))
    db.execute(update(AuditHead).values(seq=head.seq - n, hash=new_last or audit.GENESIS))
    db.flush()
    db.expire_all()


def _edit(db: Session, seq: int) -> None:
    db.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(actor="mallory"))


@pytest.mark.parametrize(
    "attackers_key", [None, b"a key of their own, not the ring's"], ids=["plain", "mac"]
)
def test_the_issues_rewrite_no_longer_holds(db: Session, attackers_key: bytes | None) -> None:
    _append(db, 8)
    edited = _head(db).seq - 5
    _edit(db, edited)
    _rechain_from(db, edited, attackers_key)
    _drop_last(db, 3)
    status = audit.verify(db)
    assert not status.ok
    assert status.first_bad_seq == edited


def test_cutting_events_off_the_end_is_caught_by_the_anchor(db: Session) -> None:
    _append(db, 6)
    verified = audit.verify(db)
    anchor = Anchor(count=verified.events, head=verified.head, keyed_from=verified.keyed_from)
    assert audit.verify(db, anchor=anchor).ok
    _drop_last(db, 3)
    # The chain left is genuine, MACs and all: only something kept outside can tell.
    assert audit.verify(db).ok
    status = audit.verify(db, anchor=anchor)
    assert not status.ok
    assert status.first_bad_seq == anchor.count - 2
    assert status.problem is not None and "removed" in status.problem


def test_a_chain_rewritten_since_the_anchor_is_caught_by_it(db: Session) -> None:
    _append(db, 4)
    verified = audit.verify(db)
    anchor = Anchor(verified.events, verified.head, verified.keyed_from)
    # Events appended after the anchor are fine...
    _append(db, 2)
    assert audit.verify(db, anchor=anchor).ok
    # ...a different chain of the same length is not (here: rewritten from genesis and
    # declared unkeyed, which the MACs alone cannot refuse).
    db.execute(update(AuditHead).values(keyed_from=_head(db).seq + 1))
    _edit(db, anchor.count)
    _rechain_from(db, 1, None)
    assert audit.verify(db).ok
    assert not audit.verify(db, anchor=anchor).ok


def test_a_checkpoint_contradicts_a_chain_cut_short_after_it(db: Session) -> None:
    _append(db, 5)
    audit.remember_verified(db, audit.verify(db))
    _drop_last(db, 3)
    status = audit.verify(db)
    assert not status.ok
    assert status.problem is not None and "removed" in status.problem


def test_verification_starts_from_the_last_checkpoint(db: Session) -> None:
    _append(db, 3)
    first = audit.verify(db)
    assert first.verified_from == 0
    audit.remember_verified(db, first)
    _append(db, 2)
    second = audit.verify(db)
    assert second.ok and second.verified_from == first.events
    assert second.events == first.events + 2
    # An event the checkpoint vouched for, rewritten with its hash: the joint breaks.
    _edit(db, first.events)
    _rechain_from(db, first.events, None)
    assert not audit.verify(db).ok
    # `full` walks from genesis regardless.
    assert audit.verify(db, full=True).first_bad_seq == first.events


def test_a_forged_checkpoint_is_passed_over(db: Session) -> None:
    _append(db, 4)
    audit.remember_verified(db, audit.verify(db))
    last = _head(db).seq
    _edit(db, last)
    _rechain_from(db, last, None)
    # The checkpoint moved to the rewritten head, with a tag made without the audit key.
    db.execute(
        update(AuditCheckpoint)
        .where(AuditCheckpoint.seq == last)
        .values(hash=_head(db).hash, tag=hmac.new(b"guess", b"x", hashlib.sha256).hexdigest())
    )
    status = audit.verify(db)
    assert not status.ok and status.verified_from == 0


def test_a_chain_begun_before_the_key_stays_verifiable(db: Session) -> None:
    """Events below `keyed_from` (chained before the upgrade) are plain SHA-256 links."""
    _append(db, 3)
    plain_end = _head(db).seq
    # As migration 0012 leaves an older chain: its events plain, keyed from the next one.
    db.execute(update(AuditHead).values(keyed_from=plain_end + 1))
    _rechain_from(db, 1, None)
    _append(db, 3)
    status = audit.verify(db)
    assert status.ok and status.keyed_from == plain_end + 1
    # A plain event rewritten, and the plain part re-linked: the first keyed event's MAC,
    # covering the last plain link, no longer matches.
    _edit(db, plain_end - 1)
    _rechain_from(db, plain_end - 1, None)
    assert audit.verify(db).first_bad_seq == plain_end + 1


def test_an_anchor_is_signed_and_a_forged_one_refused() -> None:
    signing = get_keyring().signing_keys()
    status = audit.ChainStatus(True, 12, "ab" * 32, keyed_from=3)
    text = make_anchor(status, signing)
    assert read_anchor(text, signing) == Anchor(12, "ab" * 32, 3)
    with pytest.raises(AnchorForged):
        read_anchor(text.replace('"count": 12', '"count": 15'), signing)
    with pytest.raises(AnchorForged):
        read_anchor(text, SigningKeys.generate())
    with pytest.raises(AnchorUnreadable):
        read_anchor("{not json", signing)
    with pytest.raises(AnchorUnreadable):
        read_anchor(text.replace('"count": 12', '"count": "12"'), signing)
