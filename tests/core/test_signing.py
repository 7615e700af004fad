"""The key ring's Ed25519 signing keys: generated when absent (and saved to the key file),
kept through data-key rotation, rotatable with the old public keys still listed."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.crypto import KeyRing, KeyRingError

ID = "34010219800101001X"
CONTEXT = "talent.id_number"


def _legacy_file(path: Path) -> tuple[KeyRing, str]:
    """A key file written before signing keys existed, and a token sealed under it."""
    ring = KeyRing.generate()
    content = json.loads(ring.to_json())
    del content["signing"]
    path.write_text(json.dumps(content), encoding="utf-8")
    path.chmod(0o600)
    return ring, ring.encrypt(ID, context=CONTEXT)


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


def test_a_key_file_without_signing_keys_gets_one_saved_and_keeps_its_data_keys(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bluecard.keys"
    _before, token = _legacy_file(path)

    ring = KeyRing.load_or_create(path)
    public = ring.signing_keys().public_keys()

    saved = json.loads(path.read_text(encoding="utf-8"))
    assert set(saved["signing"]["keys"]) == set(public)
    again = KeyRing.load_or_create(path)
    assert again.signing_keys().public_keys() == public
    assert again.decrypt(token, context=CONTEXT) == ID
    assert path.stat().st_mode & 0o777 == 0o600


def test_two_rings_on_one_legacy_file_agree_on_one_signing_key(tmp_path: Path) -> None:
    path = tmp_path / "bluecard.keys"
    _legacy_file(path)
    first, second = KeyRing.load_or_create(path), KeyRing.load_or_create(path)
    assert first.signing_keys().public_keys() == second.signing_keys().public_keys()


def test_rotating_data_keys_keeps_the_signing_keys() -> None:
    ring = KeyRing.generate()
    assert ring.rotate().signing_keys().public_keys() == ring.signing_keys().public_keys()


def test_rotating_the_signing_key_lists_the_new_one_first_and_keeps_the_old(
    tmp_path: Path,
) -> None:
    ring = KeyRing.generate()
    old_kid, old_signature = ring.signing_keys().sign(b"2026")
    rotated = ring.rotate_signing()
    path = tmp_path / "k.keys"
    rotated.save(path)
    reloaded = KeyRing.load_or_create(path).signing_keys()

    new_kid, _ = reloaded.sign(b"2026")
    public = reloaded.public_keys()
    assert new_kid != old_kid
    assert list(public) == [new_kid, old_kid]
    assert _verifies(public[old_kid], b"2026", old_signature)
    assert reloaded.public_keys() == rotated.signing_keys().public_keys()


def test_a_ring_from_the_environment_without_signing_keys_still_signs() -> None:
    content = json.loads(KeyRing.generate().to_json())
    del content["signing"]
    ring = KeyRing.from_json(json.dumps(content))
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
