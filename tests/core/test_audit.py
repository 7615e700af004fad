from __future__ import annotations

import threading

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import SYSTEM, AuditEvent


def _append(db: Session, n: int) -> None:
    for i in range(n):
        audit.record(db, SYSTEM, "test.event", f"thing:{i}", {"i": i, "note": "测试"})
    db.flush()


def test_intact_chain_verifies(db: Session) -> None:
    before = audit.verify(db)
    _append(db, 5)
    status = audit.verify(db)
    assert status.ok
    assert status.events == before.events + 5


def test_altered_event_is_detected(db: Session) -> None:
    _append(db, 3)
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert last is not None
    db.execute(update(AuditEvent).where(AuditEvent.seq == last.seq - 1).values(actor="mallory"))
    db.expire_all()
    assert not audit.verify(db).ok


def test_deleted_event_is_detected(db: Session) -> None:
    _append(db, 3)
    last_seq = db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    db.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": last_seq - 1})
    assert not audit.verify(db).ok


def test_deleted_last_event_is_detected(db: Session) -> None:
    _append(db, 2)
    last_seq = db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    db.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": last_seq})
    assert not audit.verify(db).ok


def test_swapped_events_are_detected(db: Session) -> None:
    _append(db, 2)
    a, b = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)).all()
    a_target, b_target = a.target, b.target
    db.execute(update(AuditEvent).where(AuditEvent.seq == a.seq).values(target=b_target))
    db.execute(update(AuditEvent).where(AuditEvent.seq == b.seq).values(target=a_target))
    db.expire_all()
    assert not audit.verify(db).ok


def test_id_number_in_free_text_is_masked_before_it_is_chained(db: Session) -> None:
    event = audit.record(
        db,
        SYSTEM,
        "test.event",
        "x 34010219800101001X",
        {"reason": "身份证号34010219800101001X有误"},
    )
    assert "34010219800101001X" not in event.detail + event.target
    assert "340102**********1X" in event.detail
    assert audit.verify(db).ok


def test_verify_endpoint_reports_chain(client, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    auditor = login("auditor")
    _append(db, 1)
    response = client.get(client.app.url_path_for("audit_verify"), headers=auditor.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["events"] >= 2
    assert len(body["head"]) == 64


def test_parallel_writers_never_fork_the_chain(fresh_database_url: str) -> None:
    from app.core.db import get_sessionmaker

    factory = get_sessionmaker()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with factory() as session, session.begin():
                    audit.record(session, SYSTEM, "test.parallel", f"w{n}:{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as session:
        status = audit.verify(session)
    assert status.ok
    assert status.events == 80
