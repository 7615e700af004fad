"""Seeding the registry for page tests, through the registry's own filing service."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

from sqlalchemy.orm import Session

from app.core.audit import SYSTEM, NamedActor
from app.core.keys import get_keyring
from app.demo.fakes import fake_id_number, fake_talent_record
from app.filing import review
from app.filing.intake import take_in
from app.filing.models import Submission
from app.filing.parsers.columns import COLUMNS, HEADERS, NO, YES
from app.filing.upload import hashed_upload
from app.registry import service
from app.registry.codes import RELATION_ZH, Relation
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
    """File one fictitious person through the registry's filing path (eligible ones get an
    active marker); returns the stored record and the filed data, ID number included, for
    the test to type in."""
    record = {**fake_talent_record(random.Random(seed), city_code=city_code, eligible=eligible)}
    record.update(fields)
    service.file_record(
        session,
        SYSTEM,
        talent_data(record),
        city_code=city_code,
        existing=None,
        submission_id=None,
        today=local_today(),
    )
    id_hash = get_keyring().blind_index(record["id_number"])
    return service.talents_by_hash(session, [id_hash])[id_hash], record


def unknown_id_number(seed: int) -> str:
    """A valid ID number of a person nobody filed."""
    return fake_id_number(random.Random(seed), city_code="340200")


def person(seed: int, *, city_code: str = "340100", eligible: bool = True) -> dict[str, Any]:
    """A fictitious person as a record of the JSON filing format."""
    return fake_talent_record(random.Random(seed), city_code=city_code, eligible=eligible)


def csv_of(records: list[dict[str, Any]]) -> bytes:
    """Records of the JSON format as the CSV a city officer saves from Excel."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for record in records:
        writer.writerow([_cell(record, column.field) for column in COLUMNS])
    return text.getvalue().encode("utf-8-sig")


def pending_submission(
    session: Session, records: list[dict[str, Any]], *, city_code: str, period: str = "2026Q3"
) -> Submission:
    """A city's file validated and submitted for review, through the filing service."""
    operator = NamedActor(actor_id="user:city-seed", actor_role="city_operator")
    upload = hashed_upload(io.BytesIO(csv_of(records)), "seed.csv")
    intake = take_in(
        session,
        operator,
        upload,
        city_code=city_code,
        period=period,
        idempotency_key=None,
        today=local_today(),
    )
    return review.submit(session, operator, intake.submission)


def _cell(record: dict[str, Any], field: str) -> str:
    if field == "action":
        return "新增或更新"
    if field.startswith("conditions."):
        _, condition, part = field.split(".")
        value = record["conditions"][condition][part]
        return (YES if value else NO) if part == "met" else str(value or "")
    if field.startswith(("honors[].", "dependents[].")):
        group, name = field.split("[].")
        return ";".join(_list_item(item, name) for item in record.get(group, []))
    value = record.get(field)
    return "" if value is None else str(value)


def _list_item(item: dict[str, Any], name: str) -> str:
    if name == "relation":
        return RELATION_ZH[Relation(item[name])]
    return "" if item.get(name) is None else str(item[name])
