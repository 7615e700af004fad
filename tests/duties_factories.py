"""Talents, markers and dependents made directly through the ORM, for the duties' tests
(studios, assistance, tasks): fake but well-formed people, ID numbers encrypted as the
registry stores them."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.demo.fakes import fake_employer, fake_id_number, fake_name, fake_uscc
from app.registry.eligibility import RULES_VERSION
from app.registry.markers import local_today, new_marker_code
from app.registry.models import Dependent, Marker, Talent
from app.registry.records import DEPENDENT_ID_CONTEXT, TALENT_ID_CONTEXT

HEFEI = "340100"
WUHU = "340200"

_rng = random.Random(20181018)


def make_talent(
    db: Session,
    *,
    city_code: str = HEFEI,
    marker: str | None = "active",
    dependents: tuple[str, ...] = (),
    today: date | None = None,
) -> Talent:
    """A filed talent of `city_code` with a marker in state `marker` (`active`, `suspended`,
    `revoked`, `expired`, or None for none) and dependents of the given relations."""
    keyring = get_keyring()
    today = today or local_today()
    id_number = fake_id_number(_rng, city_code=city_code)
    talent = Talent(
        id_hash=keyring.blind_index(id_number),
        id_cipher=keyring.encrypt(id_number, context=TALENT_ID_CONTEXT),
        name=fake_name(_rng),
        gender="M",
        city_code=city_code,
        employer=fake_employer(_rng, "合肥市"),
        employer_uscc=fake_uscc(_rng, city_code=city_code),
        occupation="数控车工",
        skill_level="senior_technician",
        eligible=True,
        rules_version=RULES_VERSION,
        first_filed_on=today,
        filed_on=today,
        version=1,
    )
    for position, relation in enumerate(dependents):
        number = fake_id_number(_rng, city_code=city_code, birth_year_range=(1985, 2005))
        talent.dependents.append(
            Dependent(
                position=position,
                relation=relation,
                id_hash=keyring.blind_index(number),
                id_cipher=keyring.encrypt(number, context=DEPENDENT_ID_CONTEXT),
                name=fake_name(_rng),
            )
        )
    if marker is not None:
        talent.marker = _marker(marker, today)
    db.add(talent)
    # Committed (to the test's savepoint): a refused request's rollback must not undo it.
    db.commit()
    return talent


def valid_uscc(city_code: str = HEFEI) -> str:
    return fake_uscc(_rng, city_code=city_code)


def _marker(state: str, today: date) -> Marker:
    expired = state == "expired"
    return Marker(
        code=new_marker_code(),
        status="active" if expired else state,
        granted_on=today - timedelta(days=400),
        valid_until=today - timedelta(days=1) if expired else today + timedelta(days=700),
        change_source="eligibility",
    )
