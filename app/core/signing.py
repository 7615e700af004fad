"""Ed25519 keys that sign what the registry publishes (the roster snapshots), kept in the
key ring so they are backed up, and rotated, with the data keys.

In the key file: `"signing": {"current": "s2", "keys": {"s1": "<b64 seed>", "s2": ...}}`.
Rotation adds a key and makes it current; old keys stay, so their public halves are still
listed and snapshots signed with them still verify.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SEED_BYTES = 32
_PREFIX = "s"


@dataclass(frozen=True)
class SigningKeys:
    keys: Mapping[str, bytes]  # key id -> the private key's 32-byte seed
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError("the current signing key id is not among the signing keys")
        if any(len(seed) != SEED_BYTES for seed in self.keys.values()):
            raise ValueError(f"every signing key must be {SEED_BYTES} bytes")

    def __repr__(self) -> str:
        return f"SigningKeys(current={self.current!r}, kids={sorted(self.keys)!r})"

    @classmethod
    def generate(cls) -> SigningKeys:
        return cls({f"{_PREFIX}1": secrets.token_bytes(SEED_BYTES)}, f"{_PREFIX}1")

    def rotate(self) -> SigningKeys:
        """A new current key; the old ones kept for their public halves."""
        kid = f"{_PREFIX}{max(_numbers(self.keys), default=0) + 1}"
        return SigningKeys({**self.keys, kid: secrets.token_bytes(SEED_BYTES)}, kid)

    def sign(self, data: bytes) -> tuple[str, bytes]:
        """(key id, Ed25519 signature of `data`) with the current key."""
        return self.current, _private(self.keys[self.current]).sign(data)

    def public_keys(self) -> dict[str, bytes]:
        """Key id -> raw 32-byte public key, the current key first."""
        order = [self.current, *sorted(k for k in self.keys if k != self.current)]
        return {
            kid: _private(self.keys[kid]).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            for kid in order
        }

    def to_json_obj(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "keys": {kid: base64.b64encode(seed).decode() for kid, seed in self.keys.items()},
        }

    @classmethod
    def from_json_obj(cls, value: object) -> SigningKeys:
        if not isinstance(value, dict) or not isinstance(value.get("keys"), dict):
            raise ValueError("signing keys must be an object with keys")
        try:
            keys = {
                str(kid): base64.b64decode(seed, validate=True)
                for kid, seed in value["keys"].items()
            }
        except (binascii.Error, TypeError) as exc:
            raise ValueError("a signing key is not valid base64") from exc
        current = value.get("current")
        if not isinstance(current, str):
            raise ValueError("signing keys have no current key id")
        return cls(keys, current)


def _private(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def _numbers(keys: Mapping[str, bytes]) -> list[int]:
    return [int(kid[1:]) for kid in keys if kid[:1] == _PREFIX and kid[1:].isdecimal()]
