from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.models import User
from app.core import audit
from app.demo.load import DEMO_PASSWORD, load_demo
from app.filing.models import Submission
from app.registry.models import BlueCard, Marker, Talent
from tests.conftest import Login


def test_demo_loads_every_role_and_filed_talents(db: Session) -> None:
    lines = load_demo(db)
    db.flush()
    roles = set(db.scalars(select(User.role)))
    assert {"province_admin", "city_operator", "window_clerk", "auditor"} <= roles
    assert any(DEMO_PASSWORD in line for line in lines)
    assert lines[-1].strip().startswith("bk_")
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
    assert lines[-1].strip().startswith("bk_")


def test_the_demo_names_numbers_that_answer_at_the_counter(
    client: TestClient, db: Session, login: Callable[..., Login]
) -> None:
    """Each sample the demo prints gives the answer its label promises at the counter: the
    holder by ID and by card, none for the card holder without a marker, education for the
    school-age child; and the printed partner key works."""
    lines = load_demo(db)
    db.commit()
    samples = {line.split(":")[0].strip(): line for line in lines if "  ID " in line}
    assert set(samples) == {"holder with a marker", "card holder, no marker", "child of school age"}
    ids = {label: re.search(r"ID (\w{18})", line).group(1) for label, line in samples.items()}  # type: ignore[union-attr]
    holder_card = re.search(r"card (AH\d+)", samples["holder with a marker"]).group(1)  # type: ignore[union-attr]
    clerk = login("window_clerk").headers

    def lookup(headers: dict[str, str], service: str, **who: str) -> dict[str, object]:
        body = {**who, "service": service, "purpose": "演示"}
        response = client.post("/api/v1/priority/lookup", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    assert lookup(clerk, "housing", id_number=ids["holder with a marker"])["basis"] == "holder"
    assert lookup(clerk, "housing", card_no=holder_card)["basis"] == "holder"
    assert not lookup(clerk, "housing", id_number=ids["card holder, no marker"])["priority"]
    child = lookup(clerk, "education", id_number=ids["child of school age"])
    assert child["basis"] == "dependent"
    partner = {"Authorization": f"Bearer {lines[-1].strip()}"}
    assert lookup(partner, "housing", id_number=ids["holder with a marker"])["priority"] is True
