"""Registry rows made directly through the ORM models, for lookup and public tests.

Numbers are encrypted and blind-indexed the way the registry stores them. Each call draws
a fresh, valid, fictitious ID number unless one is given.
"""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.demo.fakes import fake_card_no, fake_id_number, fake_name
from app.registry.eligibility import RULES_VERSION
from app.registry.identifiers import gender_of, id_check_character
from app.registry.markers import local_today
from app.registry.models import BlueCard, Dependent, Honor, Marker, Talent

_rng = random.Random()
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Kin:
    relation: str
    id_number: str
    name: str


@dataclass(frozen=True)
class Person:
    talent_id: uuid.UUID
    id_number: str
    name: str
    city_code: str
    card_no: str
    marker_code: str | None
    dependents: list[Kin] = field(default_factory=list)


def new_id_number(
    city_code: str = "340100", birth_year_range: tuple[int, int] = (1960, 1995)
) -> str:
    return fake_id_number(_rng, city_code=city_code, birth_year_range=birth_year_range)


def id_number_born(born: date, city_code: str = "340100") -> str:
    """A valid number of someone born on `born` (a child's age decides education priority)."""
    first17 = (
        new_id_number(city_code)[:6] + born.strftime("%Y%m%d") + f"{_rng.randrange(1, 999):03d}"
    )
    return first17 + id_check_character(first17)


def aged(years: int, today: date | None = None) -> date:
    """A birth date `years` years and a day before `today` (China time)."""
    today = today or local_today()
    born = (
        today.replace(year=today.year - years)
        if (today.month, today.day) != (2, 29)
        else (today.replace(year=today.year - years, day=28))
    )
    return born - timedelta(days=1)


def new_marker_code() -> str:
    return "LT-" + "".join(secrets.choice(_ALPHABET) for _ in range(12))


def make_talent(
    db: Session,
    *,
    marker: str | None = "active",
    valid_until: date | None = None,
    city_code: str = "340100",
    name: str | None = None,
    id_number: str | None = None,
    categories: tuple[str, ...] = ("national_model_worker",),
    dependents: tuple[str, ...] = (),
    child_born: date | None = None,
    employer: str = "合肥恒通精密机械有限公司",
    occupation: str = "数控车工",
    in_pool: bool = False,
) -> Person:
    """A filed talent; `marker` is the stored status (None: no marker). `in_pool` also
    puts their blue card in the pool table; otherwise only the record names the card.
    Children are born on `child_born`, by default ten years ago (of school age)."""
    keyring = get_keyring()
    id_number = id_number or new_id_number(city_code)
    name = name or fake_name(_rng)
    card_no = fake_card_no(_rng, city_code)
    today = local_today()
    talent = Talent(
        id=uuid.uuid4(),
        id_hash=keyring.blind_index(id_number),
        id_cipher=keyring.encrypt(id_number, context="talent.id_number"),
        name=name,
        gender=gender_of(id_number),
        city_code=city_code,
        employer=employer,
        occupation=occupation,
        skill_level="senior_technician",
        card_no=None if in_pool else card_no,
        contribution_met=True,
        skill_performance_met=True,
        frontline_met=True,
        status="filed",
        eligible=marker is not None,
        rules_version=RULES_VERSION,
        first_filed_on=today - timedelta(days=30),
        filed_on=today - timedelta(days=30),
        version=1,
    )
    talent.honors = [Honor(position=i, category=c) for i, c in enumerate(categories)]
    child_born = child_born or aged(10)
    kin = [
        Kin(
            relation,
            id_number_born(child_born, city_code)
            if relation == "child"
            else new_id_number(city_code),
            fake_name(_rng),
        )
        for relation in dependents
    ]
    talent.dependents = [
        Dependent(
            position=i,
            relation=k.relation,
            id_hash=keyring.blind_index(k.id_number),
            id_cipher=keyring.encrypt(k.id_number, context="dependent.id_number"),
            name=k.name,
        )
        for i, k in enumerate(kin)
    ]
    db.add(talent)
    code = None
    if marker is not None:
        code = new_marker_code()
        db.add(
            Marker(
                talent_id=talent.id,
                code=code,
                status=marker,
                granted_on=today - timedelta(days=30),
                valid_until=valid_until or today + timedelta(days=3 * 365),
                change_source="eligibility",
            )
        )
    if in_pool:
        make_card(db, id_number, card_no=card_no, name=name, city_code=city_code)
    db.flush()
    return Person(talent.id, id_number, name, city_code, card_no, code, kin)


def make_card(
    db: Session,
    id_number: str,
    *,
    card_no: str | None = None,
    name: str = "路人甲",
    city_code: str = "340100",
) -> BlueCard:
    """A blue card in the pool (most holders are not leading talents)."""
    keyring = get_keyring()
    card = BlueCard(
        card_no=card_no or fake_card_no(_rng, city_code),
        id_hash=keyring.blind_index(id_number),
        id_cipher=keyring.encrypt(id_number, context="blue_card.id_number"),
        name=name,
        city_code=city_code,
        occupation="焊工",
        skill_level="technician",
        issued_on=local_today() - timedelta(days=400),
    )
    db.add(card)
    db.flush()
    return card
