"""`bluecard backup` and `bluecard restore`: a restored database is the one backed up."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.access import partners, service
from app.cli import main
from app.core import audit
from app.core.audit import SYSTEM, AuditEvent
from app.core.db import session_scope
from app.core.keys import get_keyring
from app.registry import service as registry
from tests.conftest import DEMO_PASSWORD
from tests.databases import throwaway_database
from tests.registry.factories import TODAY, talent_data
from tests.robustness.state import pointed_at, registry_checksum, table_counts

KEY_WARNING = "不含解开它们的密钥加密密钥"


@pytest.fixture(autouse=True)
def logging_kept() -> Iterator[None]:
    """`main` points the root logger at the captured stderr, which closes after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_restored_database_has_the_same_rows_and_an_intact_audit_chain(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill_with_data()
    before = _snapshot()
    backup = tmp_path / "bluecard.backup"

    assert main(["backup", str(backup)]) == 0
    assert KEY_WARNING in capsys.readouterr().err

    with throwaway_database(tmp_path / "restored") as restored_url, pointed_at(restored_url):
        assert main(["restore", str(backup)]) == 0
        output = capsys.readouterr().out
        assert before["head"] in output
        assert _snapshot() == before


def test_restore_refuses_a_database_with_tables_unless_forced(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill_with_data()
    backup = tmp_path / "bluecard.backup"
    assert main(["backup", str(backup)]) == 0
    before = _snapshot()
    _fill_with_data()  # written after the backup: the restore must discard it

    assert main(["restore", str(backup)]) == 1
    assert "--force" in capsys.readouterr().err
    assert _snapshot() != before

    assert main(["restore", "--force", str(backup)]) == 0
    assert _snapshot() == before


def test_restore_with_another_key_file_says_the_ids_are_unreadable(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill_with_data()
    backup = tmp_path / "bluecard.backup"
    assert main(["backup", str(backup)]) == 0
    capsys.readouterr()

    with (
        throwaway_database(tmp_path / "restored") as restored_url,
        pointed_at(restored_url, key_file=tmp_path / "other.keys"),
    ):
        assert main(["restore", str(backup)]) == 3  # the keys do not open the data
        assert "无法解密恢复的身份证号" in capsys.readouterr().err


def test_restore_refuses_a_file_that_is_not_a_backup(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "notes.backup"
    bogus.write_bytes(b"this is not a database dump\n" * 100)
    with throwaway_database(tmp_path / "restored") as restored_url, pointed_at(restored_url):
        assert main(["restore", str(bogus)]) == 1
        assert "恢复失败" in capsys.readouterr().err


def test_backup_to_an_unwritable_place_fails_and_leaves_no_file(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    blocker = out / "a-file"
    blocker.write_text("not a folder")
    assert main(["backup", str(blocker / "bluecard.backup")]) == 1
    assert "备份失败" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["a-file"]


def test_a_tampered_backup_restores_but_fails_the_chain_check(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill_with_data()
    with session_scope() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="intruder"))
    backup = tmp_path / "bluecard.backup"
    assert main(["backup", str(backup)]) == 0

    with throwaway_database(tmp_path / "restored") as restored_url, pointed_at(restored_url):
        assert main(["restore", str(backup)]) == 1  # the check says no
        assert "审计链在第 2 条事件处断裂" in capsys.readouterr().err


def _fill_with_data() -> None:
    """People of every role, a partner and its key, filed records, lookups: audit events all."""
    suffix = uuid.uuid4().hex[:6]
    with session_scope() as session:
        for role, city in [("province_admin", None), ("city_operator", "340100")]:
            service.create_user(
                session,
                SYSTEM,
                username=f"{role}-{suffix}",
                password=DEMO_PASSWORD,
                role=role,
                city_code=city,
            )
        partner = partners.create_partner(
            session, SYSTEM, name=f"备份测试-{suffix}", scopes=["priority:housing"]
        )
        _, key = partners.issue_api_key(session, SYSTEM, partner)
        numbers = []
        for _ in range(5):
            data = talent_data()
            registry.file_record(
                session,
                SYSTEM,
                data,
                city_code="340100",
                existing=None,
                submission_id=uuid.uuid4(),
                today=TODAY,
            )
            numbers.append(data.id_number)
    from app.main import create_app

    with TestClient(create_app()) as client:
        for number in numbers:
            answer = client.post(
                client.app.url_path_for("priority_lookup"),  # type: ignore[attr-defined]
                json={"id_number": number, "service": "housing", "purpose": "备份测试"},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert answer.status_code == 200, answer.text


def _snapshot() -> dict[str, object]:
    with session_scope() as session:
        chain = audit.verify(session)
        assert chain.ok
        return {
            "counts": table_counts(session),
            "registry": registry_checksum(session),
            "head": chain.head,
            "key_ring": get_keyring().current_kid,
        }
