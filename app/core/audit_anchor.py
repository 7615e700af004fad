"""The audit chain's head, signed, for the operator to keep outside the database.

`bluecard audit anchor` writes one; `bluecard audit verify --anchor FILE` checks that the
chain still holds the anchored head at the anchored count: events cut off the end since,
or a chain rewritten wholesale, no longer do. The anchor is signed with the key ring's
Ed25519 signing key (the one that signs roster snapshots), so a forged one is refused.

The file is JSON: {"chain": "bluecard-audit", "count": N, "head": "<hex>",
"keyed_from": K, "made_at": "<ISO time>", "kid": "s1", "signature": "<base64>"}; the
signature covers the canonical JSON of every other field.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.audit import Anchor, ChainStatus
from app.core.signing import SigningKeys
from app.core.types import utcnow

CHAIN = "bluecard-audit"


class AnchorUnreadable(ValueError):
    """Not an anchor at all: not JSON, or fields missing or of the wrong kind."""


class AnchorForged(ValueError):
    """An anchor whose signature does not verify under any of the ring's signing keys."""


def make_anchor(status: ChainStatus, signing: SigningKeys) -> str:
    """The signed anchor of a chain that verified, as the file's text."""
    if not status.ok:
        raise ValueError("only a chain that verifies is anchored")
    body: dict[str, Any] = {
        "chain": CHAIN,
        "count": status.events,
        "head": status.head,
        "keyed_from": status.keyed_from,
        "made_at": utcnow().isoformat(timespec="seconds"),
        "kid": signing.current,
    }
    _, signature = signing.sign(_signed_bytes(body))
    body["signature"] = base64.b64encode(signature).decode("ascii")
    return json.dumps(body, indent=2) + "\n"


def read_anchor(text: str, signing: SigningKeys) -> Anchor:
    """The anchor in `text`, once its signature verifies."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnchorUnreadable("the anchor is not JSON") from exc
    if not isinstance(body, dict) or body.get("chain") != CHAIN:
        raise AnchorUnreadable("not an audit chain anchor")
    count, head, keyed_from = body.get("count"), body.get("head"), body.get("keyed_from")
    kid, signature = body.pop("kid", None), body.pop("signature", None)
    if (
        not isinstance(count, int)
        or not isinstance(keyed_from, int)
        or not _is_count(count)
        or not _is_count(keyed_from)
        or not isinstance(head, str)
        or not isinstance(kid, str)
        or not isinstance(signature, str)
    ):
        raise AnchorUnreadable("the anchor's count, head, keyed_from, kid or signature is wrong")
    public = signing.public_keys().get(kid)
    if public is None:
        raise AnchorForged(f"the anchor is signed with key {kid!r}, not in the key ring")
    try:
        raw = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(public).verify(raw, _signed_bytes({**body, "kid": kid}))
    except (binascii.Error, InvalidSignature) as exc:
        raise AnchorForged("the anchor's signature does not verify") from exc
    return Anchor(count=count, head=head, keyed_from=keyed_from)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _signed_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
