import base64
import json
import logging
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


def test_rotation_keeps_old_tokens_readable_and_encrypts_with_the_new_key(
    ring: KeyRing,
) -> None:
    old_token = ring.encrypt(ID, context=CONTEXT)
    rotated = ring.rotate()
    assert rotated.current_kid != ring.current_kid
    assert rotated.decrypt(old_token, context=CONTEXT) == ID
    assert rotated.needs_reencrypt(old_token)
    new_token = rotated.encrypt(ID, context=CONTEXT)
    assert new_token.startswith(f"{rotated.current_kid}:")
    assert not rotated.needs_reencrypt(new_token)
    assert not ring.needs_reencrypt(old_token)


def test_rotation_keeps_the_blind_index(ring: KeyRing) -> None:
    assert ring.rotate().rotate().blind_index(ID) == ring.blind_index(ID)


def test_rotation_numbers_key_ids(ring: KeyRing) -> None:
    assert [ring.current_kid, ring.rotate().current_kid, ring.rotate().rotate().current_kid] == [
        "k1",
        "k2",
        "k3",
    ]


def test_missing_key_file_is_created_private_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "secrets" / "bluecard.keys"
    with caplog.at_level(logging.WARNING, logger="bluecard.crypto"):
        created = KeyRing.load_or_create(path)
    assert _mode(path) == 0o600
    assert "Back it up" in caplog.text
    assert list(path.parent.iterdir()) == [path]
    data = json.loads(path.read_text())
    assert data["version"] == 1
    assert data["current"] == created.current_kid
    assert len(base64.b64decode(data["keys"]["k1"])) == 32
    assert len(base64.b64decode(data["index_key"])) == 32


def test_loading_an_existing_file_gives_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "bluecard.keys"
    created = KeyRing.load_or_create(path)
    token = created.encrypt(ID, context=CONTEXT)
    loaded = KeyRing.load_or_create(path)
    assert loaded.decrypt(token, context=CONTEXT) == ID
    assert loaded.blind_index(ID) == created.blind_index(ID)
    assert loaded.current_kid == created.current_kid


def test_saved_rotation_survives_reload(tmp_path: Path) -> None:
    path = tmp_path / "bluecard.keys"
    ring = KeyRing.load_or_create(path)
    old_token = ring.encrypt(ID, context=CONTEXT)
    rotated = ring.rotate()
    rotated.save(path)
    loaded = KeyRing.load_or_create(path)
    assert _mode(path) == 0o600
    assert loaded.current_kid == "k2"
    assert loaded.decrypt(old_token, context=CONTEXT) == ID
    assert list(tmp_path.iterdir()) == [path]


def test_key_file_readable_by_others_is_loaded_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bluecard.keys"
    path.write_text(KeyRing.generate().to_json())
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="bluecard.crypto"):
        KeyRing.load_or_create(path)
    assert "chmod 600" in caplog.text


def test_ring_from_json_matches_the_file_format(ring: KeyRing) -> None:
    again = KeyRing.from_json(ring.to_json())
    assert again.decrypt(ring.encrypt(ID, context=CONTEXT), context=CONTEXT) == ID


KEY = base64.b64encode(bytes(range(32))).decode()
GOOD = {"version": 1, "current": "k1", "keys": {"k1": KEY}, "index_key": KEY}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({**GOOD, "version": 2}),
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


def test_a_running_ring_takes_keys_rotated_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "bluecard.keys"
    running = KeyRing.load_or_create(path)
    other_process = KeyRing.load_or_create(path).rotate()
    other_process.save(path)
    token = other_process.encrypt("34010219800101001X", context="talent.id_number")
    assert running.decrypt(token, context="talent.id_number") == "34010219800101001X"
    assert running.current_kid == other_process.current_kid
