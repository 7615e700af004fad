"""Envelope keys (contract v2): the data keys live in the database wrapped by the hosts'
key-encryption key, so every host shares them, a rotation is seen by every host, and
rotating the key-encryption key rewraps only the stored keys."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main as cli
from app.core import key_store
from app.core.crypto import KeyRing, KeyRingError
from app.core.db import get_engine
from app.core.kek import LEGACY_KEK_ID, KeyEncryptionKeys
from app.core.keys import get_keks, get_keyring
from app.ops.keycheck import KeysRefused, check_keys_at_start
from tests.conftest import reset_caches

ID = "34010219800101001X"
CONTEXT = "talent.id_number"


@pytest.fixture
def own_keys(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Path]]:
    """`own_keys(content=None, env=False)`: a key file of the test's own (or its content in
    BLUECARD_KEYS), then a database of its own, whose keys are stored wrapped by it."""
    saved = {name: os.environ.get(name) for name in ("BLUECARD_KEY_FILE", "BLUECARD_KEYS")}
    path = tmp_path / "host.keys"

    def make(content: str | None = None, *, env: bool = False) -> Path:
        os.environ["BLUECARD_KEY_FILE"] = str(path)
        if env:
            os.environ["BLUECARD_KEYS"] = content or KeyEncryptionKeys.generate().to_json()
        elif content is not None:
            path.write_text(content)
            path.chmod(0o600)
        reset_caches()
        request.getfixturevalue("fresh_database_url")
        return path

    yield make
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    reset_caches()


@pytest.fixture
def key_file(own_keys: Callable[..., Path]) -> Path:
    return own_keys()


def _host(keks: KeyEncryptionKeys) -> KeyRing:
    """Another host's ring: its own read of the stored keys."""
    return key_store.open_ring(get_engine(), keks, create=False)


def _stored() -> list[tuple[str, str, str]]:
    with get_engine().connect() as connection:
        rows = connection.execute(
            select(key_store.TABLE.c.kid, key_store.TABLE.c.purpose, key_store.TABLE.c.kek_id)
        )
        return sorted(tuple(row) for row in rows)


def test_hosts_with_one_key_encryption_key_share_the_data_keys(key_file: Path) -> None:
    first = get_keyring()
    second = _host(KeyEncryptionKeys.from_json(key_file.read_text()))
    assert second.decrypt(first.encrypt(ID, context=CONTEXT), context=CONTEXT) == ID
    assert second.blind_index(ID) == first.blind_index(ID)
    assert _stored() == [("index", "index", "w1"), ("k1", "data", "w1"), ("s1", "signing", "w1")]
    # The file holds the key-encryption key only: no data key, no index key.
    content = json.loads(key_file.read_text())
    assert set(content) == {"version", "current", "keks"}


def test_processes_creating_the_first_ring_at_once_agree_on_one(key_file: Path) -> None:
    keks = get_keks()
    with ThreadPoolExecutor(4) as pool:
        rings = list(
            pool.map(lambda _: key_store.open_ring(get_engine(), keks, create=True), range(4))
        )
    assert len({ring.blind_index(ID) for ring in rings}) == 1
    assert len(_stored()) == 3


def test_a_data_key_rotation_is_one_stored_key_every_host_finds(key_file: Path) -> None:
    here = get_keyring()
    old = here.encrypt(ID, context=CONTEXT)
    assert cli(["keys", "rotate"]) == 0
    other = _host(get_keks())
    assert other.current_kid == "k2"
    assert other.decrypt(old, context=CONTEXT) == ID  # old tokens stay readable
    here.refresh()  # what every server does every few seconds
    assert here.encrypt(ID, context=CONTEXT).startswith("k2:")


def test_rotating_the_key_encryption_key_rewraps_only_the_stored_keys(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = get_keyring().encrypt(ID, context=CONTEXT)
    old_file = tmp_path / "old.keys"
    old_file.write_text(key_file.read_text())

    assert cli(["keys", "rotate-kek"]) == 0
    assert "w2" in capsys.readouterr().out
    assert {kek for _kid, _purpose, kek in _stored()} == {"w2"}
    assert sorted(json.loads(key_file.read_text())["keks"]) == ["w1", "w2"]
    reset_caches()
    assert get_keyring().decrypt(token, context=CONTEXT) == ID  # data untouched

    # A host still given only the old key-encryption key is refused at start.
    os.environ["BLUECARD_KEY_FILE"] = str(old_file)
    reset_caches()
    with pytest.raises(KeysRefused, match="do not open the data"):
        check_keys_at_start(get_engine())


def test_a_signing_key_rotation_lists_the_new_key_first_and_keeps_the_old(
    key_file: Path,
) -> None:
    before = get_keyring().signing_keys()
    assert cli(["keys", "rotate-signing"]) == 0
    after = _host(get_keks()).signing_keys()
    assert list(after.public_keys()) == ["s2", "s1"]
    assert after.public_keys()["s1"] == before.public_keys()["s1"]


def test_the_data_key_rotates_with_keys_given_in_the_environment(
    own_keys: Callable[..., Path],
) -> None:
    own_keys(env=True)
    token = get_keyring().encrypt(ID, context=CONTEXT)
    assert cli(["keys", "rotate"]) == 0
    reset_caches()
    assert get_keyring().current_kid == "k2"
    assert get_keyring().decrypt(token, context=CONTEXT) == ID


def test_a_version_1_key_file_is_imported_and_keeps_opening_its_data(
    own_keys: Callable[..., Path],
) -> None:
    def b64() -> str:
        return base64.b64encode(secrets.token_bytes(32)).decode()

    legacy = {"version": 1, "current": "k2", "keys": {"k1": b64(), "k2": b64()}, "index_key": b64()}
    key_file = own_keys(json.dumps(legacy))
    earlier = KeyRing.from_json(json.dumps(legacy))
    old, older = (
        earlier.encrypt(ID, context=CONTEXT),
        "k1:" + earlier.encrypt(ID, context=CONTEXT).partition(":")[2],
    )

    ring = get_keyring()
    assert ring.decrypt(old, context=CONTEXT) == ID
    assert ring.blind_index(ID) == earlier.blind_index(ID)
    assert ring.current_kid == "k2"
    assert {kek for _kid, _purpose, kek in _stored()} == {LEGACY_KEK_ID}
    assert json.loads(key_file.read_text()) == legacy  # the file is left as it was
    with pytest.raises(ValueError):
        ring.decrypt(older, context=CONTEXT)  # a k2 body under k1's id is no k1 token


def test_a_ring_that_may_not_be_created_is_an_error_on_an_empty_store(key_file: Path) -> None:
    with pytest.raises(KeyRingError):
        key_store.open_ring(get_engine(), KeyEncryptionKeys.generate(), create=False)


def test_a_generated_key_file_is_a_key_encryption_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(["keys", "generate-kek"]) == 0
    keks = KeyEncryptionKeys.from_json(capsys.readouterr().out)
    assert keks.current == "w1" and keks.legacy is None
