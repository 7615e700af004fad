"""POST /api/v1/priority/lookup: the contract's answers, from outside."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.registry.identifiers import mask_id_number
from app.registry.markers import local_today
from tests.lookup.factories import make_card, make_talent, new_id_number

ALL_SCOPES = [f"priority:{s}" for s in ("employment", "education", "housing", "medical")]
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


def lookup(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("service", "housing")
    body.setdefault("purpose", "购房资格审核 2026-118")
    return client.post(client.app.url_path_for("priority_lookup"), json=body, headers=headers)  # type: ignore[attr-defined]


@pytest.fixture
def partner(partner_login):  # type: ignore[no-untyped-def]
    return partner_login(ALL_SCOPES).headers


def test_holder_with_active_marker_has_priority(client, db: Session, partner) -> None:  # type: ignore[no-untyped-def]
    until = local_today() + timedelta(days=400)
    person = make_talent(db, valid_until=until)
    response = lookup(client, partner, id_number=person.id_number)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["priority"] is True
    assert body["service"] == "housing"
    assert body["basis"] == "holder"
    assert body["marker"] == {"code": person.marker_code, "valid_until": until.isoformat()}
    assert OFFSET_TIME.match(body["checked_at"])
    assert len(body["lookup_id"]) == 36
    assert "person" not in body


def test_lowercase_x_and_spaces_in_id_number_still_match(client, db: Session, partner) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db, id_number=next(n for n in iter(new_id_number, None) if n[-1] == "X"))
    spaced = person.id_number[:6] + " " + person.id_number[6:-1] + "x"
    assert lookup(client, partner, id_number=spaced).json()["priority"] is True


NEGATIVE_CASES = ["unknown", "no_marker", "suspended", "revoked", "expired"]


def _negative_subject(db: Session, case: str) -> str:
    if case == "unknown":
        return new_id_number()
    if case == "no_marker":
        return make_talent(db, marker=None).id_number
    if case == "expired":
        return make_talent(db, valid_until=local_today() - timedelta(days=1)).id_number
    return make_talent(db, marker=case).id_number


@pytest.mark.parametrize("caller", ["partner", "discloser", "clerk"])
def test_negative_answers_are_identical_whatever_the_reason(  # type: ignore[no-untyped-def]
    client, db: Session, partner_login, login, caller: str
) -> None:
    headers = {
        "partner": lambda: partner_login(ALL_SCOPES).headers,
        "discloser": lambda: partner_login(ALL_SCOPES, disclose_person=True).headers,
        "clerk": lambda: login("window_clerk").headers,
    }[caller]()
    answers = []
    for case in NEGATIVE_CASES:
        response = lookup(client, headers, id_number=_negative_subject(db, case))
        assert response.status_code == 200, (case, response.text)
        body = response.json()
        assert OFFSET_TIME.match(body.pop("checked_at"))
        body.pop("lookup_id")
        answers.append((sorted(body), body))
    assert all(answer == answers[0] for answer in answers), answers
    expected = {"priority": False, "service": "housing", "basis": None, "marker": None}
    if caller != "partner":
        expected["person"] = None
    assert answers[0][1] == expected


def test_marker_valid_until_today_still_counts(client, db: Session, partner) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db, valid_until=local_today())
    assert lookup(client, partner, id_number=person.id_number).json()["priority"] is True


def test_partner_without_the_service_scope_is_forbidden(client, db: Session, partner_login) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db)
    headers = partner_login(["priority:education"]).headers
    db.commit()  # keep the setup through the refused request's rollback
    response = lookup(client, headers, id_number=person.id_number, service="housing")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert response.headers["content-type"] == "application/problem+json"
    allowed = lookup(client, headers, id_number=person.id_number, service="education")
    assert allowed.status_code == 200


@pytest.mark.parametrize("role", ["province_admin", "city_operator", "auditor"])
def test_other_roles_cannot_look_up(client, db: Session, login, role: str) -> None:  # type: ignore[no-untyped-def]
    headers = login(role, "340100" if role == "city_operator" else None).headers
    response = lookup(client, headers, id_number=make_talent(db).id_number)
    assert response.status_code == 403


def test_no_credentials_is_401(client) -> None:  # type: ignore[no-untyped-def]
    response = lookup(client, {}, id_number=new_id_number())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_window_clerk_sees_the_person(client, db: Session, login) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db)
    body = lookup(client, login("window_clerk").headers, id_number=person.id_number).json()
    assert body["person"] == {
        "name": person.name,
        "id_number_masked": mask_id_number(person.id_number),
    }


def test_partner_sees_the_person_only_when_its_policy_says_so(  # type: ignore[no-untyped-def]
    client, db: Session, partner_login
) -> None:
    person = make_talent(db)
    open_partner = partner_login(ALL_SCOPES, disclose_person=True).headers
    closed_partner = partner_login(ALL_SCOPES, disclose_person=False).headers
    disclosed = lookup(client, open_partner, id_number=person.id_number).json()
    assert disclosed["person"]["name"] == person.name
    assert disclosed["person"]["id_number_masked"] == mask_id_number(person.id_number)
    assert "person" not in lookup(client, closed_partner, id_number=person.id_number).json()


# A school-age child (the factory's default); employment needs an assistance case
# (tests/lookup/test_dependents.py), so without one no dependent has it.
DEPENDENT_CASES = [
    ("child", "education", True),
    ("child", "employment", False),
    ("child", "housing", False),
    ("child", "hukou", False),
    ("child", "social_insurance", False),
    ("child", "medical", False),
    ("spouse", "employment", False),
    ("spouse", "education", False),
    ("spouse", "medical", False),
    ("spouse", "housing", False),
]


@pytest.mark.parametrize(("relation", "service", "entitled"), DEPENDENT_CASES)
def test_dependents_get_the_services_their_relation_allows(  # type: ignore[no-untyped-def]
    client, db: Session, login, relation: str, service: str, entitled: bool
) -> None:
    holder = make_talent(db, dependents=(relation,))
    kin = holder.dependents[0]
    body = lookup(client, login("window_clerk").headers, id_number=kin.id_number, service=service)
    body = body.json()
    assert body["priority"] is entitled
    if entitled:
        assert body["basis"] == "dependent"
        assert body["marker"]["code"] == holder.marker_code
        assert body["person"] == {
            "name": kin.name,
            "id_number_masked": mask_id_number(kin.id_number),
        }
    else:
        assert (body["basis"], body["marker"], body["person"]) == (None, None, None)


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_dependent_of_a_holder_without_active_marker_gets_nothing(  # type: ignore[no-untyped-def]
    client, db: Session, partner, status: str
) -> None:
    holder = make_talent(db, marker=status, dependents=("child",))
    body = lookup(client, partner, id_number=holder.dependents[0].id_number, service="education")
    assert body.json()["priority"] is False


def test_own_marker_wins_over_being_a_dependent(client, db: Session, partner) -> None:  # type: ignore[no-untyped-def]
    spouse = make_talent(db, dependents=("spouse",))
    own = make_talent(db, id_number=spouse.dependents[0].id_number)
    body = lookup(client, partner, id_number=own.id_number, service="employment").json()
    assert body["basis"] == "holder"
    assert body["marker"]["code"] == own.marker_code


def test_card_number_in_the_pool_finds_the_holder(client, db: Session, login) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db, in_pool=True)
    body = lookup(client, login("window_clerk").headers, card_no=person.card_no.lower()).json()
    assert body["priority"] is True and body["basis"] == "holder"
    assert body["person"]["id_number_masked"] == mask_id_number(person.id_number)


def test_card_number_named_by_the_filed_record_finds_the_holder(  # type: ignore[no-untyped-def]
    client, db: Session, partner
) -> None:
    person = make_talent(db, in_pool=False)
    assert lookup(client, partner, card_no=person.card_no).json()["priority"] is True


def test_card_of_pool_member_who_is_no_talent_and_unknown_card_answer_alike(  # type: ignore[no-untyped-def]
    client, db: Session, partner
) -> None:
    card = make_card(db, new_id_number())
    known = lookup(client, partner, card_no=card.card_no).json()
    unknown = lookup(client, partner, card_no="AH34010099999999").json()
    for body in (known, unknown):
        body.pop("lookup_id"), body.pop("checked_at")
    assert (
        known
        == unknown
        == {
            "priority": False,
            "service": "housing",
            "basis": None,
            "marker": None,
        }
    )


@pytest.mark.parametrize(
    "bad",
    ["34010219800101001", "340102198001010010", "34010219801301001X", "3401021980010100AX", "x"],
)
def test_invalid_id_number_is_422_without_echoing_it(client, partner, bad: str) -> None:  # type: ignore[no-untyped-def]
    response = lookup(client, partner, id_number=bad)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_id_number"
    assert body["errors"][0]["field"] == "id_number"
    assert body["errors"][0]["code"] == "invalid_id_number"
    assert bad not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {"service": "housing", "purpose": "审核"},
        {
            "id_number": "34010219800101001X",
            "card_no": "AH1",
            "service": "housing",
            "purpose": "审核",
        },
        {"id_number": "34010219800101001X", "service": "housing", "purpose": "   "},
        {"id_number": "34010219800101001X", "service": "housing", "purpose": "审" * 201},
        {"id_number": "34010219800101001X", "service": "housing"},
        {"id_number": "34010219800101001X", "service": "parking", "purpose": "审核"},
    ],
)
def test_malformed_requests_are_422(client, partner, body: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    response = client.post(client.app.url_path_for("priority_lookup"), json=body, headers=partner)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "34010219800101001X" not in response.text


def test_purpose_of_200_characters_is_accepted(client, partner) -> None:  # type: ignore[no-untyped-def]
    response = lookup(client, partner, id_number=new_id_number(), purpose="审" * 200)
    assert response.status_code == 200
