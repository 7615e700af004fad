"""A lookup's `purpose` is shown to other cities in access logs: it never holds an ID number
(contract v2: "Free text never carries an ID number")."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lookup.models import LookupRecord
from tests.lookup.factories import make_talent
from tests.lookup.test_batch import lookups
from tests.lookup.test_lookup import ALL_SCOPES, lookup

_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _spellings(number: str) -> list[str]:
    return [
        number.translate(_FULL_WIDTH),
        f"{number[:6]} {number[6:14]} {number[14:]}",
        f"{number[:6]}-{number[6:10]}-{number[10:14]}-{number[14:]}".lower(),
        f"购房资格审核 {number.lower()}",
    ]


@pytest.mark.parametrize("spelling", range(4))
def test_purpose_holding_an_id_number_is_refused_and_not_recorded(  # type: ignore[no-untyped-def]
    client, db: Session, partner_login, spelling: int
) -> None:
    person = make_talent(db)
    partner = partner_login(ALL_SCOPES)
    purpose = _spellings(person.id_number)[spelling]
    response = lookup(client, partner.headers, id_number=person.id_number, purpose=purpose)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "id_number_in_text"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("purpose", "id_number_in_text")]
    assert person.id_number[6:14] not in response.text
    batch = lookups(client, partner.headers, [person.id_number], purpose=purpose)
    assert batch.status_code == 422
    assert batch.json()["code"] == "id_number_in_text"
    recorded = select(LookupRecord).where(LookupRecord.caller_id == partner.partner_id)
    assert db.scalars(recorded).all() == []


def test_ordinary_case_numbers_in_purpose_are_fine(client, db: Session, partner_login) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db)
    headers = partner_login(ALL_SCOPES).headers
    response = lookup(client, headers, id_number=person.id_number, purpose="购房资格审核 2026-118")
    assert response.status_code == 200, response.text


def test_control_character_in_purpose_is_invalid_text(client, db: Session, login) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db)
    clerk = login("window_clerk")
    response = lookup(client, clerk.headers, id_number=person.id_number, purpose="审核\x07")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_text"
