"""The key ring's Ed25519 signing keys (stored and rotated with the data keys: see
tests/core/test_envelope_keys.py)."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.crypto import KeyRing, KeyRingError

ID = "34010219800101001X"
CONTEXT = "talent.id_number"


def _verifies(public: bytes, data: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except InvalidSignature:
        return False
    return True


def test_a_new_ring_signs_and_its_public_key_checks_the_signature() -> None:
    signing = KeyRing.generate().signing_keys()
    kid, signature = signing.sign(b"roster")
    public = signing.public_keys()
    assert list(public) == [kid]
    assert _verifies(public[kid], b"roster", signature)
    assert not _verifies(public[kid], b"roster!", signature)


def test_a_version_1_key_file_without_signing_keys_still_signs() -> None:
    ring = KeyRing.from_json(json.dumps(GOOD))
    kid, signature = ring.signing_keys().sign(b"x")
    assert _verifies(ring.signing_keys().public_keys()[kid], b"x", signature)


KEY = base64.b64encode(bytes(range(32))).decode()
GOOD = {"version": 1, "current": "k1", "keys": {"k1": KEY}, "index_key": KEY}


@pytest.mark.parametrize(
    "signing",
    [
        [],
        {"current": "s1"},
        {"current": "s2", "keys": {"s1": KEY}},
        {"current": "s1", "keys": {"s1": "@@"}},
        {"current": "s1", "keys": {"s1": base64.b64encode(b"short").decode()}},
        {"keys": {"s1": KEY}},
    ],
)
def test_malformed_signing_keys_are_refused(signing: object) -> None:
    with pytest.raises(KeyRingError):
        KeyRing.from_json(json.dumps({**GOOD, "signing": signing}))


def test_repr_shows_no_signing_key_material() -> None:
    signing = KeyRing.generate().signing_keys()
    seed = base64.b64encode(signing.keys[signing.current]).decode()
    assert seed not in repr(signing)
