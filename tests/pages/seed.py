"""Seeding the registry for page tests, through the registry's own filing service."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy.orm import Session

from app.core.audit import SYSTEM
from app.demo.fakes import fake_id_number, fake_talent_record
from app.registry import service
from app.registry.markers import local_today
from app.registry.models import Talent
from app.registry.records import DependentData, HonorData, TalentData


def talent_data(record: dict[str, Any]) -> TalentData:
    """A record in the contract's JSON filing format, as the registry's filed data."""
    return TalentData(
        id_number=record["id_number"],
        name=record["name"],
        employer=record["employer"],
        employer_uscc=record.get("employer_uscc"),
        occupation=record["occupation"],
        skill_level=record["skill_level"],
        card_no=record.get("card_no"),
        frontline_since=record.get("frontline_since"),
        conditions={k: (v["met"], v.get("note")) for k, v in record["conditions"].items()},
        honors=tuple(
            HonorData(
                h["category"],
                h.get("title"),
                h.get("conferred_by"),
                h.get("year"),
                h.get("certificate_no"),
            )
            for h in record.get("honors", [])
        ),
        dependents=tuple(
            DependentData(d["relation"], d["id_number"], d["name"])
            for d in record.get("dependents", [])
        ),
    )


def file_talent(
    session: Session, *, seed: int, city_code: str = "340100", eligible: bool = True, **fields: Any
) -> tuple[Talent, dict[str, Any]]:
    """File one fictitious person (eligible ones get an active marker); returns the record
    and the filed data, ID number included, for the test to type in."""
    record = {**fake_talent_record(random.Random(seed), city_code=city_code, eligible=eligible)}
    record.update(fields)
    talent = service.file_record(
        session,
        SYSTEM,
        talent_data(record),
        city_code=city_code,
        existing=None,
        submission_id=None,
        today=local_today(),
    )
    session.flush()
    return talent, record


def unknown_id_number(seed: int) -> str:
    """A valid ID number of a person nobody filed."""
    return fake_id_number(random.Random(seed), city_code="340200")
