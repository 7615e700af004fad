"""`bluecard audit anchor` and `bluecard audit verify [--anchor FILE] [--full]`, on a
database of their own, with their exit codes (0 holds, 1 does not, 2 usage, 3 no db)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from app.cli import main
from app.core import audit
from app.core.audit import SYSTEM, AuditCheckpoint, AuditEvent, AuditHead
from app.core.db import session_scope


def _append(n: int) -> None:
    with session_scope() as session:
        for i in range(n):
            audit.record(session, SYSTEM, "test.event", f"thing:{i}", {"i": i})


def _drop_last(n: int) -> None:
    with session_scope() as session:
        head = session.get(AuditHead, 1)
        assert head is not None
        keep = head.seq - n
        session.execute(delete(AuditEvent).where(AuditEvent.seq > keep))
        last = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == keep))
        session.execute(update(AuditHead).values(seq=keep, hash=last or audit.GENESIS))
        # Whoever cuts the chain short removes the checkpoints that would tell, too.
        session.execute(delete(AuditCheckpoint))


def test_anchor_then_verify_against_it(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(6)
    anchor = tmp_path / "head.anchor"
    assert main(["audit", "anchor", "--out", str(anchor)]) == 0
    written = json.loads(anchor.read_text())
    assert written["count"] >= 6 and len(written["head"]) == 64 and written["signature"]
    _append(2)
    assert main(["audit", "verify", "--anchor", str(anchor)]) == 0
    assert "from checkpoint" in capsys.readouterr().out

    _drop_last(3)
    assert main(["audit", "verify"]) == 0  # the MACs alone cannot tell
    assert main(["audit", "verify", "--anchor", str(anchor)]) == 1
    assert "were removed" in capsys.readouterr().err


def test_a_chain_cut_short_after_a_verification_fails_without_an_anchor(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(5)
    assert main(["audit", "verify"]) == 0
    with session_scope() as session:
        head = session.get(AuditHead, 1)
        assert head is not None
        keep = head.seq - 3
        session.execute(delete(AuditEvent).where(AuditEvent.seq > keep))
        last = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == keep))
        session.execute(update(AuditHead).values(seq=keep, hash=last))
    assert main(["audit", "verify"]) == 1
    assert "BROKEN" in capsys.readouterr().err


def test_anchor_goes_to_stdout_without_out(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(1)
    assert main(["audit", "anchor"]) == 0
    assert json.loads(capsys.readouterr().out)["chain"] == "bluecard-audit"


def test_forged_and_unreadable_anchors(fresh_database_url: str, tmp_path: Path) -> None:
    _append(2)
    anchor = tmp_path / "head.anchor"
    assert main(["audit", "anchor", "--out", str(anchor)]) == 0
    forged = json.loads(anchor.read_text())
    forged["count"] -= 1
    anchor.write_text(json.dumps(forged))
    assert main(["audit", "verify", "--anchor", str(anchor)]) == 1
    anchor.write_text("not an anchor")
    assert main(["audit", "verify", "--anchor", str(anchor)]) == 2
    assert main(["audit", "verify", "--anchor", str(tmp_path / "missing")]) == 2


def test_full_walks_from_genesis(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(2)
    assert main(["audit", "verify"]) == 0
    assert main(["audit", "verify", "--full"]) == 0
    assert "from genesis" in capsys.readouterr().out


def test_an_unreachable_database_is_exit_3(
    tmp_path: Path, override_settings: Callable[..., None]
) -> None:
    from tests.conftest import reset_caches

    override_settings(database_url=f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")
    reset_caches()
    try:
        assert main(["audit", "verify"]) == 3
        assert main(["audit", "anchor"]) == 3
    finally:
        reset_caches()
