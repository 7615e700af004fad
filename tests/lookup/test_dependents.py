"""What a holder's dependents get, as the notice says it (contract v2): a child's education
only at compulsory-education age (6 to 15 on the day, China time, from the ID number), and a
spouse's or child's employment only while the holder's open assistance case lists them as
wanting work. Single and batch lookups alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.registry.markers import local_today
from tests.lookup.factories import Person, aged, make_talent
from tests.lookup.test_batch import lookups
from tests.lookup.test_lookup import lookup


@pytest.fixture
def clerk(login: Callable[..., Any], db: Session) -> dict[str, str]:
    headers: dict[str, str] = login("window_clerk").headers
    return headers


@pytest.fixture
def operator(login: Callable[..., Any], db: Session) -> dict[str, str]:
    headers: dict[str, str] = login("city_operator", "340100").headers
    db.commit()
    return headers


def _born_this_day(years: int) -> Any:
    """Their birthday today (on 29 February, the 28th: the birthday has passed)."""
    today = local_today()
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=today.year - years, day=day)


@pytest.mark.parametrize(
    ("born", "entitled"),
    [
        pytest.param(aged(10), True, id="10"),
        pytest.param(aged(15), True, id="15"),
        pytest.param(aged(16), False, id="16"),
        pytest.param(aged(5), False, id="5"),
        pytest.param(_born_this_day(6), True, id="6-today"),
        pytest.param(_born_this_day(16), False, id="16-today"),
    ],
)
def test_child_has_education_priority_only_at_school_age(
    client: TestClient, db: Session, clerk: dict[str, str], born: Any, entitled: bool
) -> None:
    holder = make_talent(db, dependents=("child",), child_born=born)
    kin = holder.dependents[0]
    body = lookup(client, clerk, id_number=kin.id_number, service="education").json()
    assert (body["priority"], body["basis"]) == ((True, "dependent") if entitled else (False, None))


def test_batch_applies_the_school_age(
    client: TestClient, db: Session, partner_login: Callable[..., Any]
) -> None:
    ten = make_talent(db, dependents=("child",), child_born=aged(10)).dependents[0]
    sixteen = make_talent(db, dependents=("child",), child_born=aged(16)).dependents[0]
    headers = partner_login(["priority:education"]).headers
    results = lookups(client, headers, [ten.id_number, sixteen.id_number]).json()["results"]
    assert [(r["priority"], r["basis"]) for r in results] == [(True, "dependent"), (False, None)]


def _dependent_ids(client: TestClient, headers: dict[str, str], case_id: str) -> dict[str, int]:
    url = client.app.url_path_for("case_get", case_id=case_id)  # type: ignore[attr-defined]
    return {d["relation"]: d["id"] for d in client.get(url, headers=headers).json()["dependents"]}


def _open_case(
    client: TestClient, headers: dict[str, str], holder: Person, job_seekers: list[int]
) -> Any:
    body = {
        "talent_id": str(holder.talent_id),
        "situation": "企业订单骤减，停产半年",
        "measures": "协调转岗至同行业企业",
        "job_seekers": job_seekers,
    }
    url = client.app.url_path_for("case_open")  # type: ignore[attr-defined]
    return client.post(url, json=body, headers=headers)


def _employment(client: TestClient, clerk: dict[str, str], holder: Person) -> list[bool]:
    return [
        lookup(client, clerk, id_number=kin.id_number, service="employment").json()["priority"]
        for kin in holder.dependents
    ]


def test_employment_only_while_an_open_case_lists_the_dependent(
    client: TestClient, db: Session, clerk: dict[str, str], operator: dict[str, str]
) -> None:
    holder = make_talent(db, dependents=("spouse", "child"))
    db.commit()
    assert _employment(client, clerk, holder) == [False, False]

    opened = _open_case(client, operator, holder, [])
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]
    ids = _dependent_ids(client, operator, case_id)
    assert _employment(client, clerk, holder) == [False, False]  # a case, nobody listed

    patch = client.app.url_path_for("case_update", case_id=case_id)  # type: ignore[attr-defined]
    patched = client.patch(patch, json={"job_seekers": [ids["spouse"]]}, headers=operator)
    assert patched.status_code == 200, patched.text
    assert patched.json()["job_seekers"] == [ids["spouse"]]
    assert _employment(client, clerk, holder) == [True, False]
    answer = lookup(client, clerk, id_number=holder.dependents[0].id_number, service="employment")
    assert answer.json()["basis"] == "dependent"
    # Listed for employment, the spouse still has nothing else through the holder.
    for service in ("housing", "hukou", "medical", "social_insurance", "education"):
        kin = holder.dependents[0]
        assert not lookup(client, clerk, id_number=kin.id_number, service=service).json()[
            "priority"
        ]

    client.patch(patch, json={"job_seekers": [ids["child"]]}, headers=operator)
    assert _employment(client, clerk, holder) == [False, True]

    close = client.app.url_path_for("case_close", case_id=case_id)  # type: ignore[attr-defined]
    closed = client.post(close, json={"result": "配偶已在本市就业"}, headers=operator)
    assert closed.status_code == 200, closed.text
    assert _employment(client, clerk, holder) == [False, False]


def test_job_seekers_set_when_the_case_opens_and_in_a_batch(
    client: TestClient,
    db: Session,
    operator: dict[str, str],
    partner_login: Callable[..., Any],
) -> None:
    holder = make_talent(db, dependents=("spouse", "child"))
    db.commit()
    case_id = _open_case(client, operator, holder, []).json()["id"]
    ids = _dependent_ids(client, operator, case_id)
    close = client.app.url_path_for("case_close", case_id=case_id)  # type: ignore[attr-defined]
    client.post(close, json={"result": "企业恢复生产"}, headers=operator)

    opened = _open_case(client, operator, holder, [ids["child"], ids["spouse"]])
    assert opened.status_code == 201, opened.text
    assert opened.json()["job_seekers"] == sorted([ids["child"], ids["spouse"]])
    headers = partner_login(["priority:employment"]).headers
    numbers = [kin.id_number for kin in holder.dependents]
    results = lookups(client, headers, numbers, service="employment").json()["results"]
    assert [(r["priority"], r["basis"]) for r in results] == [(True, "dependent")] * 2


def test_job_seekers_must_be_the_talents_own_dependents(
    client: TestClient, db: Session, operator: dict[str, str]
) -> None:
    holder = make_talent(db, dependents=("spouse",))
    other = make_talent(db, dependents=("spouse",))
    db.commit()
    case_id = _open_case(client, operator, other, []).json()["id"]
    stranger = _dependent_ids(client, operator, case_id)["spouse"]
    refused = _open_case(client, operator, holder, [stranger])
    assert refused.status_code == 422
    assert refused.json()["code"] == "unknown_dependent"
