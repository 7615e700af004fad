"""Signed roster snapshots: the roster and the codes no longer valid, signed with the key
ring's Ed25519 key, so anyone holding the public keys can check a saved copy offline."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime

from sqlalchemy import not_, select
from sqlalchemy.orm import Session

from app.core.signing import SigningKeys
from app.public.schemas import SignedSnapshot, SigningKey, SigningKeySet
from app.public.service import read_only, roster_with_codes
from app.registry import markers
from app.registry.models import Marker


def signed_snapshot(
    session: Session, signing: SigningKeys, *, now: datetime, today: date
) -> SignedSnapshot:
    payload = snapshot_payload(session, now=now, today=today)
    kid, signature = signing.sign(payload)
    return SignedSnapshot(payload=b64url(payload), signature=b64url(signature), kid=kid)


def snapshot_payload(session: Session, *, now: datetime, today: date) -> bytes:
    """The UTF-8 JSON bytes that are signed: `generated_at` in China time, the roster of
    active markers with their codes, and every other code ever issued (`withdrawn`)."""
    items = roster_with_codes(session, today=today)
    read_only(session)
    withdrawn = session.scalars(
        select(Marker.code).where(not_(markers.active_on(today))).order_by(Marker.code)
    ).all()
    content = {
        "generated_at": now.astimezone(markers.CHINA_STANDARD_TIME).isoformat(timespec="seconds"),
        "items": [item.model_dump(mode="json") for item in items],
        "withdrawn": list(withdrawn),
    }
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signing_key_set(signing: SigningKeys) -> SigningKeySet:
    return SigningKeySet(
        keys=[SigningKey(kid=kid, x=b64url(raw)) for kid, raw in signing.public_keys().items()]
    )


def b64url(data: bytes) -> str:
    """base64url without padding, as JOSE writes it (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
