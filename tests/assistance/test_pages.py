"""The assistance pages: a city opens, serves and closes a case; the province sees the
open cases by city; other cities see nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assistance.models import AssistanceJobSeeker
from app.registry.markers import local_today
from tests.duties_factories import HEFEI, WUHU, make_talent
from tests.duties_pages import post_form, sign_in
from tests.pages.conftest import confirm


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))


def open_case_page(client: TestClient, talent_id: str) -> Any:
    form_url = f"{url(client, 'page_assistance_new')}?talent_id={talent_id}"
    data = {
        "talent_id": talent_id,
        "employer": "",
        "situation": "企业停产整顿",
        "measures": "协调到关联企业转岗",
    }
    return post_form(client, form_url, url(client, "page_assistance_open"), data)


def test_city_opens_serves_updates_and_closes_a_case(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, dependents=("spouse", "child"))
    sign_in(client, db, login, "city_operator", HEFEI)
    found = post_form(
        client,
        url(client, "page_assistance_new"),
        url(client, "page_assistance_find"),
        {"q": talent.name},
    )
    assert talent.employer in found.text
    opened = open_case_page(client, str(talent.id))
    assert opened.status_code == 303, opened.text
    case_url = opened.headers["location"].split("?")[0]
    case_id = case_url.rsplit("/", 1)[1]
    page = client.get(opened.headers["location"])
    assert "帮扶台账已建档" in page.text
    assert talent.employer in page.text  # the talent's employer when none was typed
    assert "（配偶，" in page.text and "**********" in page.text
    spouse_id = str(talent.dependents[0].id)
    service = {
        "dependent_id": spouse_id,
        "kind": "job_referral",
        "service_date": local_today().isoformat(),
        "outcome": "推荐岗位3个，已入职",
    }
    services = url(client, "page_assistance_action", case_id=case_id, verb="services")
    assert post_form(client, case_url, services, service).status_code == 303
    update = url(client, "page_assistance_action", case_id=case_id, verb="update")
    changed = {"situation": "企业停产整顿", "measures": "发放稳岗补贴", "job_seekers": [spouse_id]}
    assert post_form(client, case_url, update, changed).status_code == 303
    ticked = client.get(case_url).text
    assert f'name="job_seekers" value="{spouse_id}" checked' in ticked
    assert f"{talent.dependents[0].name}（配偶）" in ticked
    assert db.scalar(select(AssistanceJobSeeker.dependent_id)) == talent.dependents[0].id
    unticked = {"situation": "企业停产整顿", "measures": "发放稳岗补贴"}
    assert post_form(client, case_url, update, unticked).status_code == 303
    assert db.scalar(select(AssistanceJobSeeker.dependent_id)) is None
    close = url(client, "page_assistance_action", case_id=case_id, verb="close")
    asked = post_form(client, case_url, close, {"result": "本人稳定就业"})
    assert asked.status_code == 200
    assert "确认办结" in asked.text and "本人稳定就业" in asked.text
    assert "已结案" not in client.get(case_url).text  # asking changed nothing
    assert confirm(client, asked, follow_redirects=False).status_code == 303
    final = client.get(case_url).text
    for words in ("已办结", "职业介绍", "推荐岗位3个，已入职", "发放稳岗补贴", "本人稳定就业"):
        assert words in final
    assert "保存服务记录" not in final  # a closed case has no more forms


def test_bad_service_entry_is_explained_on_the_case_page(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, dependents=("child",))
    sign_in(client, db, login, "city_operator", HEFEI)
    case_url = open_case_page(client, str(talent.id)).headers["location"].split("?")[0]
    case_id = case_url.rsplit("/", 1)[1]
    services = url(client, "page_assistance_action", case_id=case_id, verb="services")
    data = {"dependent_id": str(talent.dependents[0].id), "kind": "skills_training", "outcome": "x"}
    response = post_form(client, case_url, services, {**data, "service_date": "2000-01-01"})
    assert response.status_code == 422
    assert "服务日期应在建档日期" in response.text
    missing = post_form(client, case_url, services, {**data, "service_date": "", "outcome": ""})
    assert missing.status_code == 422
    assert "请填写服务日期" in missing.text


def test_province_sees_open_cases_by_city(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    open_case_page(client, str(talent.id))
    sign_in(client, db, login, "province_admin")
    page = client.get(url(client, "page_assistance_list"))
    assert page.status_code == 200
    assert "各市在办台账" in page.text
    assert "淮北市" in page.text  # every city is listed, even without cases
    assert talent.name in page.text
    assert "开立帮扶台账" not in page.text  # the province reads; cities open cases


def test_another_city_and_the_window_see_nothing(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    case_url = open_case_page(client, str(talent.id)).headers["location"].split("?")[0]
    sign_in(client, db, login, "city_operator", WUHU)
    assert client.get(case_url).status_code == 404
    assert talent.name not in client.get(url(client, "page_assistance_list")).text
    form_url = f"{url(client, 'page_assistance_new')}?talent_id={talent.id}"
    assert client.get(form_url).status_code == 404
    sign_in(client, db, login, "window_clerk")
    assert client.get(case_url).status_code == 403
