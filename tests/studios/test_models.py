"""The database's own guard: one open application per talent and type."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.registry.models import Talent
from app.studios.models import StudioApplication
from tests.duties_factories import make_talent, valid_uscc


def application(
    talent: Talent, status: str, project_type: str = "skill_master_studio"
) -> StudioApplication:
    return StudioApplication(
        talent=talent,
        city_code=talent.city_code,
        project_type=project_type,
        title="工作室",
        host_employer=talent.employer,
        host_uscc=valid_uscc(),
        plan_summary="计划",
        attachments=[],
        status=status,
        submitted_by="test",
    )


def test_database_refuses_two_open_applications_of_one_type(db: Session) -> None:
    talent = make_talent(db)
    db.add(application(talent, "submitted"))
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(application(talent, "in_review"))
        db.flush()


def test_database_allows_decided_applications_beside_an_open_one(db: Session) -> None:
    talent = make_talent(db)
    db.add_all(
        [
            application(talent, "approved"),
            application(talent, "rejected"),
            application(talent, "submitted"),
            application(talent, "submitted", "craftsman_innovation_studio"),
        ]
    )
    db.flush()
