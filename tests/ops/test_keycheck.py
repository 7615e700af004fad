"""A host never answers from the wrong keys (contract v2): it refuses to start when the
database holds keys or data its key-encryption key cannot open, or when it has no key for
such a database, and `/readyz` is 503 while its keys do not open the stored data."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core import key_store
from app.core.audit import SYSTEM
from app.core.crypto import KEY_BYTES
from app.core.db import get_engine, session_scope
from app.core.kek import KeyEncryptionKeys
from app.core.keys import get_keks, get_keyring
from app.core.rotation import rotate_keys
from app.ops.keycheck import KeysRefused, check_keys_at_start
from app.ops.keys_cli import CIPHER_COLUMNS
from app.registry import service
from tests.conftest import reset_caches
from tests.registry.factories import HEFEI, TODAY, talent_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keys_env(tmp_path: Path) -> Iterator[Path]:
    """BLUECARD_KEY_FILE (and the environment) of this test's own, restored after."""
    saved = {n: os.environ.get(n) for n in ("BLUECARD_KEY_FILE", "BLUECARD_ENVIRONMENT")}
    key_file = tmp_path / "host.keys"
    os.environ["BLUECARD_KEY_FILE"] = str(key_file)
    reset_caches()
    yield key_file
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    reset_caches()


@pytest.fixture
def filled(keys_env: Path, fresh_database_url: str) -> Path:
    """A database holding a filed record, written with the keys in `keys_env`."""
    with session_scope() as session:
        service.file_record(
            session, SYSTEM, talent_data(), city_code=HEFEI, existing=None,
            submission_id=None, today=TODAY,
        )  # fmt: skip
    return keys_env


def _use_key_file(path: Path) -> None:
    os.environ["BLUECARD_KEY_FILE"] = str(path)
    reset_caches()


def _refusal() -> str:
    with pytest.raises(KeysRefused) as refused:
        check_keys_at_start(get_engine())
    return str(refused.value)


def test_serve_refuses_a_database_with_data_when_the_key_file_is_missing(
    filled: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "elsewhere" / "bluecard.keys"
    _use_key_file(missing)
    err = _refusal()
    assert "拒绝启动" in err and "refusing to start" in err and "BLUECARD_KEY_FILE" in err
    assert not missing.exists()  # no new ring was made beside the data


def test_serve_refuses_a_corrupt_key_file(filled: Path, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.keys"
    corrupt.write_text(filled.read_text()[:40])
    _use_key_file(corrupt)
    assert "cannot be read" in _refusal()


def test_serve_refuses_another_hosts_keys(filled: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.keys"
    KeyEncryptionKeys.generate().save(other)
    _use_key_file(other)
    assert "do not open the data" in _refusal()


def test_another_hosts_keys_are_refused_on_a_registry_with_no_records_yet(
    keys_env: Path, fresh_database_url: str, tmp_path: Path
) -> None:
    # The stored keys are the canary: no talent needs to exist for a wrong host to be caught.
    check_keys_at_start(get_engine())
    other = tmp_path / "other.keys"
    KeyEncryptionKeys.generate().save(other)
    _use_key_file(other)
    assert "do not open the data" in _refusal()


def test_serve_refuses_keys_whose_blind_index_key_differs(filled: Path) -> None:
    # The data keys decrypt, but every lookup would miss: "priority": false for holders.
    keks = get_keks()
    with get_engine().begin() as connection:
        connection.execute(
            key_store.TABLE.update()
            .where(key_store.TABLE.c.kid == key_store.INDEX_KID)
            .values(wrapped=keks.wrap(key_store.INDEX_KID, key_store.INDEX, bytes(KEY_BYTES)))
        )
    reset_caches()
    assert "do not open the data" in _refusal()


def test_a_missing_key_in_production_is_an_error_never_a_new_ring(
    fresh_database_url: str, keys_env: Path
) -> None:
    os.environ["BLUECARD_ENVIRONMENT"] = "production"
    reset_caches()
    with pytest.raises(KeysRefused, match="production"):
        check_keys_at_start(get_engine())
    assert not keys_env.exists()


def test_first_start_on_an_empty_database_creates_the_key_file_outside_production(
    keys_env: Path, fresh_database_url: str
) -> None:
    check_keys_at_start(get_engine())
    assert stat.S_IMODE(keys_env.stat().st_mode) == 0o600


def test_a_worker_with_wrong_keys_does_not_start(filled: Path, tmp_path: Path) -> None:
    from app.main import create_app

    other = tmp_path / "other.keys"
    KeyEncryptionKeys.generate().save(other)
    _use_key_file(other)
    with pytest.raises(KeysRefused), TestClient(create_app()):
        pass


def test_a_data_key_rotated_on_another_host_is_used_here_without_a_restart(
    filled: Path,
) -> None:
    from app.main import create_app

    here = get_keyring()
    with TestClient(create_app()) as client:
        # Another host: the same key-encryption key, its own ring read from the database.
        other_host = key_store.open_ring(get_engine(), get_keks(), create=False)
        rotate_keys(get_engine(), get_keks(), other_host, CIPHER_COLUMNS)
        assert other_host.current_kid == "k2"
        assert client.get("/readyz").status_code == 200  # reads the re-encrypted rows
        assert here.current_kid == "k2"  # found the new key on reading a row under it
        assert here.encrypt("x", context="t").startswith("k2:")


def test_readyz_is_503_once_the_stored_keys_are_wrapped_by_a_key_this_host_lacks(
    filled: Path, tmp_path: Path
) -> None:
    from app.main import create_app

    with TestClient(create_app()) as client:
        assert client.get("/readyz").status_code == 200
        key_store.rewrap(get_engine(), get_keks().rotate())  # another host's new KEK
        get_keyring.cache_clear()  # as a restart would
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["code"] == "keys_do_not_open_data"


def test_the_right_keys_open_every_kind_of_stored_data(filled: Path) -> None:
    # A filed submission's row keeps the blind index of its ID number beside a sealed
    # record (not the number itself): only the number's own ciphertexts are compared.
    from tests.registry.test_protection import _submission_row

    with session_scope() as session:
        _submission_row(session, {"records": []})
    check_keys_at_start(get_engine())


def test_the_serve_process_exits_non_zero_with_the_message(
    filled: Path, fresh_database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "BLUECARD_DATABASE_URL": fresh_database_url,
        "BLUECARD_KEY_FILE": str(tmp_path / "missing.keys"),
    }
    env.pop("BLUECARD_KEYS", None)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 3  # the keys do not open the data (core.exit_status)
    assert "Traceback" not in done.stderr
    assert "拒绝启动" in done.stderr and "refusing to start" in done.stderr
