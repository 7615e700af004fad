"""Reading a person on a page or through the API: walled, told only what the role may
know, and recorded in the person's access log (`app/lookup/reads.py`)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.demo.fakes import fake_id_number
from app.registry.models import Talent
from app.registry.records import TALENT_ID_CONTEXT
from tests.duties_factories import HEFEI, WUHU, make_talent
from tests.duties_pages import post_form, sign_in

ONE_ANSWER = "未找到持有有效标识的人员"
STATE_WORDS = ("无标识", "已暂停", "已撤销", "已过期", "没有找到")


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))


def number_of(talent: Talent) -> str:
    return get_keyring().decrypt(talent.id_cipher, context=TALENT_ID_CONTEXT)


def studio_search(client: TestClient, q: str) -> Any:
    return post_form(
        client, url(client, "page_studio_new"), url(client, "page_studio_find"), {"q": q}
    )


def reads_of(
    client: TestClient, login: Callable[..., Any], talent: Talent
) -> list[tuple[str, str, str]]:
    """(caller, purpose, outcome) of each read (not a priority lookup) in the talent's log."""
    province = login("province_admin")
    path = url(client, "talent_access_log", talent_id=str(talent.id))
    items = client.get(path, headers=province.headers).json()["items"]
    return [(i["caller_name"], i["purpose"], i["outcome"]) for i in items if i["service"] is None]


@pytest.mark.parametrize("state", ["unknown", None, "suspended", "revoked", "expired"])
def test_window_clerk_gets_one_answer_for_anyone_without_an_active_marker(
    client: TestClient, db: Session, login: Callable[..., Any], state: str | None
) -> None:
    if state == "unknown":
        number, name = fake_id_number(random.Random(7), city_code=WUHU), "不存在的人"
    else:
        talent = make_talent(db, city_code=WUHU, marker=state)
        number, name = number_of(talent), talent.name
    clerk = sign_in(client, db, login, "window_clerk")

    found = studio_search(client, number)

    assert found.status_code == 200
    assert ONE_ANSWER in found.text
    assert name not in found.text
    assert not any(word in found.text for word in STATE_WORDS)
    mine = client.get(url(client, "lookup_list_mine"), headers=clerk.headers).json()["items"]
    assert [(m["purpose"], m["outcome"], m["service"]) for m in mine] == [
        ("项目直报申请人查找", "not_found", None)
    ]


def test_window_clerks_search_is_in_the_persons_access_log(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, city_code=WUHU)
    clerk = sign_in(client, db, login, "window_clerk")

    found = studio_search(client, number_of(talent))

    assert talent.name in found.text
    assert reads_of(client, login, talent) == [(clerk.username, "项目直报申请人查找", "shown")]


def test_a_citys_window_clerk_finds_only_that_citys_people(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    ours, theirs = make_talent(db, city_code=HEFEI), make_talent(db, city_code=WUHU)
    sign_in(client, db, login, "window_clerk", HEFEI)

    found, walled = studio_search(client, number_of(ours)), studio_search(client, number_of(theirs))

    assert ours.name in found.text
    assert theirs.name not in walled.text and ONE_ANSWER in walled.text
    preselected = client.get(f"{url(client, 'page_studio_new')}?talent_id={theirs.id}")
    assert preselected.status_code == 404 and theirs.name not in preselected.text


def test_a_clerk_at_the_provinces_window_finds_people_of_every_city(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talents = [make_talent(db, city_code=city) for city in (HEFEI, WUHU)]
    sign_in(client, db, login, "window_clerk")

    for talent in talents:
        assert talent.name in studio_search(client, number_of(talent)).text


@pytest.mark.parametrize("state", ["unknown", None, "suspended"])
def test_preselecting_someone_without_an_active_marker_answers_as_for_nobody(
    client: TestClient, db: Session, login: Callable[..., Any], state: str | None
) -> None:
    talent = None if state == "unknown" else make_talent(db, marker=state)
    sign_in(client, db, login, "window_clerk")
    talent_id = uuid.uuid4() if talent is None else talent.id

    response = client.get(f"{url(client, 'page_studio_new')}?talent_id={talent_id}")

    assert response.status_code == 404
    assert ONE_ANSWER in response.text
    assert not any(word in response.text for word in STATE_WORDS)
    if talent is not None:
        assert talent.name not in response.text
        assert reads_of(client, login, talent) == []  # nothing shown; a refusal stores nothing


def test_a_city_operator_tells_the_states_of_its_own_people_apart_and_is_recorded(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, city_code=HEFEI, marker=None)
    operator = sign_in(client, db, login, "city_operator", HEFEI)

    found = post_form(
        client,
        url(client, "page_assistance_new"),
        url(client, "page_assistance_find"),
        {"q": number_of(talent)},
    )

    assert talent.name in found.text
    assert reads_of(client, login, talent) == [(operator.username, "帮扶对象查找", "shown")]


def test_a_talents_record_read_through_the_api_is_recorded(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, city_code=WUHU)
    operator = login("city_operator", WUHU)

    response = client.get(
        url(client, "talent_get", talent_id=str(talent.id)), headers=operator.headers
    )

    assert response.status_code == 200
    assert reads_of(client, login, talent) == [(operator.username, "人才记录查阅", "shown")]


def test_a_talents_page_is_a_recorded_read_that_its_own_access_log_shows(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    auditor = sign_in(client, db, login, "auditor")

    page = client.get(url(client, "page_talent_record", talent_id=str(talent.id)))

    assert page.status_code == 200
    assert "人才记录查阅" in page.text
    assert reads_of(client, login, talent) == [(auditor.username, "人才记录查阅", "shown")]
