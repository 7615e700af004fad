"""Checking a saved roster snapshot offline against saved signing keys: data in, answer
out; no database, no key ring, no network."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class SnapshotInvalid(ValueError):
    """The snapshot is malformed, signed by an unknown key, or its signature does not hold."""


@dataclass(frozen=True)
class CheckedSnapshot:
    kid: str
    generated_at: str
    items: int
    withdrawn: int


def check_snapshot(snapshot: Any, key_set: Any) -> CheckedSnapshot:
    """The snapshot's facts when its signature holds under the key it names."""
    if not isinstance(snapshot, dict) or not all(
        isinstance(snapshot.get(name), str) for name in ("payload", "signature", "kid")
    ):
        raise SnapshotInvalid("快照文件格式不正确：缺少 payload、signature 或 kid。")
    public_key = _public_key(key_set, snapshot["kid"])
    payload = _b64url("payload", snapshot["payload"])
    try:
        public_key.verify(_b64url("signature", snapshot["signature"]), payload)
    except InvalidSignature as exc:
        raise SnapshotInvalid("签名不符：快照已被改动，或并非由该密钥签发。") from exc
    try:
        content = json.loads(payload.decode("utf-8"))
        return CheckedSnapshot(
            kid=snapshot["kid"],
            generated_at=str(content["generated_at"]),
            items=len(content["items"]),
            withdrawn=len(content["withdrawn"]),
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotInvalid("签名有效，但快照内容不是约定的格式。") from exc


def _public_key(key_set: Any, kid: str) -> Ed25519PublicKey:
    keys = key_set.get("keys") if isinstance(key_set, dict) else None
    if not isinstance(keys, list):
        raise SnapshotInvalid("签名公钥文件格式不正确：缺少 keys。")
    for key in keys:
        if isinstance(key, dict) and key.get("kid") == kid:
            if key.get("kty") != "OKP" or key.get("crv") != "Ed25519":
                raise SnapshotInvalid(f"密钥 {kid} 不是 Ed25519 公钥。")
            raw = _b64url("x", str(key.get("x", "")))
            try:
                return Ed25519PublicKey.from_public_bytes(raw)
            except ValueError as exc:
                raise SnapshotInvalid(f"密钥 {kid} 的公钥长度不正确。") from exc
    raise SnapshotInvalid(f"签名公钥文件中没有密钥 {kid}。")


def _b64url(what: str, text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SnapshotInvalid(f"{what} 不是有效的 base64url。") from exc
