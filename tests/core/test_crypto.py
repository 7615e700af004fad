import base64
import json
import stat
from pathlib import Path

import pytest

from app.core.crypto import DecryptionError, KeyRing, KeyRingError

ID = "34010219800101001X"
CONTEXT = "talent.id_number"


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.generate()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_encrypted_number_decrypts_to_the_same_number(ring: KeyRing) -> None:
    token = ring.encrypt(ID, context=CONTEXT)
    assert token.startswith(f"{ring.current_kid}:")
    assert ID not in token
    assert ring.decrypt(token, context=CONTEXT) == ID


def test_each_encryption_uses_a_fresh_nonce(ring: KeyRing) -> None:
    assert ring.encrypt(ID, context=CONTEXT) != ring.encrypt(ID, context=CONTEXT)


def test_token_fits_the_cipher_columns(ring: KeyRing) -> None:
    assert len(ring.encrypt(ID, context=CONTEXT)) <= 200


@pytest.mark.parametrize("position", [3, 10, 30, -1])
def test_altered_token_is_refused(ring: KeyRing, position: int) -> None:
    token = ring.encrypt(ID, context=CONTEXT)
    flipped = "A" if token[position] != "A" else "B"
    altered = token[:position] + flipped + token[position:][1:]
    with pytest.raises(DecryptionError):
        ring.decrypt(altered, context=CONTEXT)


def test_flipped_ciphertext_bit_is_reported_as_altered(ring: KeyRing) -> None:
    kid, _, body = ring.encrypt(ID, context=CONTEXT).partition(":")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[20] ^= 0x01
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(DecryptionError, match="altered"):
        ring.decrypt(f"{kid}:{altered}", context=CONTEXT)


@pytest.mark.parametrize("token", ["k1:", "k1:abc", "k1:!!!!", "k1:ü"])
def test_truncated_or_garbled_token_is_refused(ring: KeyRing, token: str) -> None:
    with pytest.raises(DecryptionError):
        ring.decrypt(token, context=CONTEXT)


def test_token_from_another_context_is_refused(ring: KeyRing) -> None:
    token = ring.encrypt(ID, context="dependent.id_number")
    with pytest.raises(DecryptionError):
        ring.decrypt(token, context=CONTEXT)


def test_token_with_unknown_key_id_is_refused(ring: KeyRing) -> None:
    token = ring.encrypt(ID, context=CONTEXT)
    with pytest.raises(DecryptionError, match="no key"):
        ring.decrypt("k9" + token[2:], context=CONTEXT)


def test_token_from_another_ring_is_refused(ring: KeyRing) -> None:
    other = KeyRing.generate()
    with pytest.raises(DecryptionError):
        other.decrypt(ring.encrypt(ID, context=CONTEXT), context=CONTEXT)


def test_blind_index_is_stable_hex_sha256(ring: KeyRing) -> None:
    index = ring.blind_index(ID)
    assert index == ring.blind_index(ID)
    assert len(index) == 64
    int(index, 16)
    assert index != ring.blind_index("11010519491231002X")


def test_blind_index_differs_per_index_key(ring: KeyRing) -> None:
    assert ring.blind_index(ID) != KeyRing.generate().blind_index(ID)


KEY = base64.b64encode(bytes(range(32))).decode()
GOOD = {"version": 1, "current": "k1", "keys": {"k1": KEY}, "index_key": KEY}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({**GOOD, "version": 3}),
        json.dumps({**GOOD, "current": "k2"}),
        json.dumps({**GOOD, "keys": {}}),
        json.dumps({**GOOD, "keys": {"k1": base64.b64encode(b"short").decode()}}),
        json.dumps({**GOOD, "keys": {"k:1": KEY}, "current": "k:1"}),
        json.dumps({**GOOD, "index_key": "@@" + KEY}),
        json.dumps({key: value for key, value in GOOD.items() if key != "index_key"}),
    ],
)
def test_malformed_key_ring_is_refused(text: str) -> None:
    with pytest.raises(KeyRingError):
        KeyRing.from_json(text)


def test_well_formed_key_ring_is_accepted() -> None:
    assert KeyRing.from_json(json.dumps(GOOD)).current_kid == "k1"


def test_repr_shows_no_key_material(ring: KeyRing) -> None:
    assert repr(ring) == "KeyRing(current_kid='k1', kids=['k1'])"
