from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.models import User
from app.core import audit
from app.demo.load import DEMO_PASSWORD, load_demo
from app.filing.models import Submission
from app.registry.models import BlueCard, Marker, Talent


def test_demo_loads_every_role_and_filed_talents(db: Session) -> None:
    lines = load_demo(db)
    db.flush()
    roles = set(db.scalars(select(User.role)))
    assert {"province_admin", "city_operator", "window_clerk", "auditor"} <= roles
    assert any(DEMO_PASSWORD in line for line in lines)
    assert lines[-1].split(": ")[-1].startswith("bk_")
    talents = db.scalar(select(func.count()).select_from(Talent))
    markers = db.scalar(select(func.count()).select_from(Marker).where(Marker.status == "active"))
    assert talents is not None and talents >= 200
    assert markers is not None and 0 < markers < talents
    cards = db.scalar(select(func.count()).select_from(BlueCard))
    assert cards is not None and cards > talents
    statuses = set(db.scalars(select(Submission.status)))
    assert {"applied", "pending_review", "invalid"} <= statuses
    assert audit.verify(db).ok


def test_loading_the_demo_twice_adds_no_people(db: Session) -> None:
    load_demo(db)
    before = db.scalar(select(func.count()).select_from(Talent))
    lines = load_demo(db)
    assert db.scalar(select(func.count()).select_from(Talent)) == before
    assert lines[-1].split(": ")[-1].startswith("bk_")
