"""A host never answers from the wrong keys (contract v2): it refuses to start when the
database holds data its keys cannot open, or when it has no key for such a database, and
`/readyz` is 503 while its keys do not open the stored data."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.audit import SYSTEM
from app.core.crypto import KeyRing
from app.core.db import get_engine, session_scope
from app.core.keys import get_keyring
from app.core.rotation import reencrypt_all
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
def filled(fresh_database_url: str, keys_env: Path) -> Path:
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
    KeyRing.generate().save(other)
    _use_key_file(other)
    assert "do not open the data" in _refusal()


def test_serve_refuses_keys_whose_blind_index_key_differs(filled: Path, tmp_path: Path) -> None:
    # The data keys decrypt, but every lookup would miss: "priority": false for holders.
    ring = json.loads(filled.read_text())
    ring["index_key"] = json.loads(KeyRing.generate().to_json())["index_key"]
    other_index = tmp_path / "other-index.keys"
    other_index.write_text(json.dumps(ring))
    _use_key_file(other_index)
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
    fresh_database_url: str, keys_env: Path
) -> None:
    check_keys_at_start(get_engine())
    assert stat.S_IMODE(keys_env.stat().st_mode) == 0o600


def test_a_worker_with_wrong_keys_does_not_start(filled: Path, tmp_path: Path) -> None:
    from app.main import create_app

    other = tmp_path / "other.keys"
    KeyRing.generate().save(other)
    _use_key_file(other)
    with pytest.raises(KeysRefused), TestClient(create_app()):
        pass


def test_readyz_is_503_once_another_host_rotated_keys_this_host_lacks(
    filled: Path, tmp_path: Path
) -> None:
    from app.main import create_app

    with TestClient(create_app()) as client:
        assert client.get("/readyz").status_code == 200
        rotated = get_keyring().rotate()
        rotated.save(tmp_path / "other-host.keys")  # not this host's file
        reencrypt_all(get_engine(), rotated, CIPHER_COLUMNS)
        get_keyring.cache_clear()
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
