"""ID numbers at rest: never in clear in the database file; keys rotate without loss."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main
from app.core import key_store
from app.core.audit import SYSTEM
from app.core.db import get_engine, session_scope
from app.core.keys import get_keks, get_keyring, reset_keys
from app.filing.models import Submission, SubmissionRow
from app.filing.sealed import RECORD_CONTEXT
from app.registry import service
from app.registry.cards import import_cards
from app.registry.models import BlueCard, Dependent, Talent
from app.registry.records import (
    CARD_ID_CONTEXT,
    DEPENDENT_ID_CONTEXT,
    TALENT_ID_CONTEXT,
    TalentData,
)
from tests.databases import is_postgres
from tests.registry.factories import HEFEI, TODAY, talent_data


def _fill(session: Session, count: int = 6) -> tuple[list[TalentData], list[str]]:
    """Talents (with dependents) and blue cards, for the talents and for others."""
    datas = [talent_data() for _ in range(count)]
    for data in datas:
        service.file_record(
            session, SYSTEM, data, city_code=HEFEI, existing=None, submission_id=None, today=TODAY
        )
    holders = [data.id_number for data in datas] + [talent_data().id_number for _ in range(count)]
    rows = [
        (
            i,
            {
                "card_no": f"AH340100{i:08d}",
                "id_number": number,
                "name": "持卡人",
                "city": "合肥市",
            },
        )
        for i, number in enumerate(holders, 1)
    ]
    import_cards(session, SYSTEM, rows, today=TODAY, source="test.csv")
    numbers = holders + [d.id_number for data in datas for d in data.dependents]
    return datas, numbers


@pytest.mark.skipif(is_postgres(), reason="reads the bytes of the SQLite database file")
def test_database_file_holds_no_clear_id_number(fresh_database_url: str) -> None:
    with session_scope() as session:
        datas, numbers = _fill(session)
    assert any(data.dependents for data in datas)
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    path = Path(fresh_database_url.removeprefix("sqlite:///"))
    stored = path.read_bytes() + Path(f"{path}-wal").read_bytes()
    assert len(stored) > 100_000
    for number in numbers:
        assert number.encode() not in stored
        assert number[:17].encode() not in stored  # not even without the check character
    # The test can see a number that is there: the names filed beside them are.
    assert datas[0].name.encode() in stored


def test_key_rotation_reencrypts_every_ciphertext(
    fresh_database_url: str,
) -> None:
    # The database's own stored keys rotate: the session's key file is not touched.
    with session_scope() as session:
        datas, _numbers = _fill(session, count=4)
        submission = _submission_row(session, {"records": [{"id_number": datas[0].id_number}]})
    old_kid = get_keyring().current_kid
    versions = _talent_versions()

    assert main(["keys", "rotate"]) == 0

    reset_keys()
    ring = get_keyring()
    assert ring.current_kid != old_kid
    with session_scope() as session:
        tokens = _all_tokens(session)
        assert len(tokens) == 4 + sum(len(d.dependents) for d in datas) + 8 + 1
        assert all(token.startswith(f"{ring.current_kid}:") for token, _ in tokens)
        clear = {ring.decrypt(token, context=context) for token, context in tokens}
        assert {d.id_number for d in datas} <= clear
        for data in datas:
            talent = service.talents_by_hash(session, [ring.blind_index(data.id_number)])
            assert len(talent) == 1  # the blind index did not change
        row = session.get(SubmissionRow, submission)
        assert row is not None and row.record_cipher is not None
        assert datas[0].id_number in ring.decrypt(row.record_cipher, context=RECORD_CONTEXT)
    assert _talent_versions() == versions  # re-encryption is not an edit: ETags stay


def test_reencrypt_finishes_an_interrupted_rotation(
    fresh_database_url: str,
) -> None:
    # The database's own stored keys rotate: the session's key file is not touched.
    with session_scope() as session:
        _fill(session, count=2)
    key_store.add_data_key(get_engine(), get_keks())  # the rotation stopped right after
    reset_keys()
    rotated = get_keyring()

    assert main(["keys", "reencrypt"]) == 0

    with session_scope() as session:
        assert all(t.startswith(f"{rotated.current_kid}:") for t, _ in _all_tokens(session))


def _submission_row(session: Session, record: dict[str, object]) -> int:
    submission = Submission(
        id=uuid.uuid4(),
        city_code=HEFEI,
        period="2026Q4",
        status="validated",
        file_name="f.json",
        file_format="json",
        sha256="0" * 64,
        size_bytes=1,
        counts={},
        created_by="test",
    )
    session.add(submission)
    row = SubmissionRow(
        submission_id=submission.id,
        row_no=1,
        action="upsert",
        id_hash="0" * 64,
        id_masked="340102**********1X",
        outcome="create",
        diff={},
        eligible_after=True,
        record_cipher=get_keyring().encrypt(json.dumps(record), context=RECORD_CONTEXT),
    )
    session.add(row)
    session.flush()
    return row.id


def _all_tokens(session: Session) -> list[tuple[str, str]]:
    return [
        *((t, TALENT_ID_CONTEXT) for t in session.scalars(select(Talent.id_cipher))),
        *((t, DEPENDENT_ID_CONTEXT) for t in session.scalars(select(Dependent.id_cipher))),
        *((t, CARD_ID_CONTEXT) for t in session.scalars(select(BlueCard.id_cipher))),
        *(
            (t, RECORD_CONTEXT)
            for t in session.scalars(select(SubmissionRow.record_cipher))
            if t is not None
        ),
    ]


def _talent_versions() -> dict[uuid.UUID, int]:
    with session_scope() as session:
        return {t.id: t.version for t in session.scalars(select(Talent))}
