"""`bluecard doctor`: exit 0 when all is well, else naming what is wrong: 3 when the keys
do not open the data (or the database is gone), 1 for anything else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import main
from app.core.kek import KeyEncryptionKeys
from tests.conftest import reset_caches


def test_doctor_passes_on_a_migrated_database(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "PROBLEM" not in out and "ok      keys" in out


def test_doctor_names_wrong_keys_and_an_unreachable_redis(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from app.core.audit import SYSTEM
    from app.core.db import session_scope
    from app.registry import service
    from tests.registry.factories import HEFEI, TODAY, talent_data

    with session_scope() as session:
        service.file_record(
            session, SYSTEM, talent_data(), city_code=HEFEI, existing=None,
            submission_id=None, today=TODAY,
        )  # fmt: skip
    other = tmp_path / "other.keys"
    KeyEncryptionKeys.generate().save(other)
    monkeypatch.setenv("BLUECARD_KEY_FILE", str(other))
    monkeypatch.setenv("BLUECARD_REDIS_URL", "redis://127.0.0.1:1/0")
    reset_caches()
    try:
        assert main(["doctor"]) == 3
    finally:
        monkeypatch.undo()
        reset_caches()
    out = capsys.readouterr().out
    assert "PROBLEM keys" in out and "do not open the data" in out
    assert "PROBLEM redis" in out and "ok      database" in out
    assert os.environ.get("BLUECARD_REDIS_URL") is None
