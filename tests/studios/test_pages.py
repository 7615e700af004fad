"""The studio pages: entry by a city or a window, the province's queue and decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.registry.markers import local_today
from app.registry.models import Talent
from app.registry.records import TALENT_ID_CONTEXT
from tests.duties_factories import HEFEI, WUHU, make_talent, valid_uscc
from tests.duties_pages import post_form, sign_in
from tests.pages.conftest import confirm


def form_data(talent: Talent, **overrides: str) -> dict[str, str]:
    return {
        "talent_id": str(talent.id),
        "project_type": "craftsman_innovation_studio",
        "title": f"{talent.name}劳模创新工作室",
        "host_employer": talent.employer,
        "host_uscc": valid_uscc(),
        "plan_summary": "围绕焊接机器人开展技术攻关。",
        "attachments": "申报书｜盖章原件\n成果清单",
        **overrides,
    }


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))


def test_city_operator_finds_the_talent_by_name_and_applies(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    found = post_form(
        client, url(client, "page_studio_new"), url(client, "page_studio_find"), {"q": talent.name}
    )
    assert found.status_code == 200
    assert talent.employer in found.text
    assert "**********" in found.text  # the ID number shows masked
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    response = post_form(client, form_url, url(client, "page_studio_submit"), form_data(talent))
    assert response.status_code == 303
    detail = client.get(response.headers["location"])
    assert "申报已直接报送省级审核" in detail.text
    assert "已报送，待受理" in detail.text
    assert "成果清单" in detail.text
    listed = client.get(url(client, "page_studio_list"))
    assert f"{talent.name}劳模创新工作室" in listed.text


def test_applicant_without_active_marker_gets_the_reason_on_the_form(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, marker="suspended")
    sign_in(client, db, login, "city_operator", HEFEI)
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    response = post_form(client, form_url, url(client, "page_studio_submit"), form_data(talent))
    assert response.status_code == 422
    assert "没有有效的高技能领军人才特殊标识" in response.text
    assert f"{talent.name}劳模创新工作室" in response.text  # what was typed is kept


def test_bad_credit_code_is_explained_on_the_form(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    data = form_data(talent, host_uscc="123")
    response = post_form(client, form_url, url(client, "page_studio_submit"), data)
    assert response.status_code == 422
    assert "统一社会信用代码应为18位" in response.text


def test_window_clerk_finds_by_id_number_only_and_returns_to_a_blank_form(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db, city_code=WUHU)
    sign_in(client, db, login, "window_clerk")
    new, find = url(client, "page_studio_new"), url(client, "page_studio_find")
    by_name = post_form(client, new, find, {"q": talent.name})
    assert "请输入申请人的身份证号查找" in by_name.text
    number = get_keyring().decrypt(talent.id_cipher, context=TALENT_ID_CONTEXT)
    by_number = post_form(client, new, find, {"q": number})
    assert talent.name in by_number.text
    assert number not in by_number.text
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    response = post_form(client, form_url, url(client, "page_studio_submit"), form_data(talent))
    assert response.status_code == 303
    assert response.headers["location"].endswith("?notice=submitted")


def test_province_accepts_and_approves_into_a_batch(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    created = post_form(client, form_url, url(client, "page_studio_submit"), form_data(talent))
    detail_url = created.headers["location"].split("?")[0]
    app_id = detail_url.rsplit("/", 1)[1]
    sign_in(client, db, login, "province_admin")
    queue = client.get(url(client, "page_studio_list"), params={"status": "submitted"})
    assert detail_url in queue.text
    accept = url(client, "page_studio_action", application_id=app_id, verb="accept")
    assert post_form(client, detail_url, accept, {}).status_code == 303
    approve = url(client, "page_studio_action", application_id=app_id, verb="approve")
    year = str(local_today().year)
    asked = post_form(client, detail_url, approve, {"batch_year": year})
    assert asked.status_code == 200 and f"计入 {year} 年度批次" in asked.text
    assert confirm(client, asked, follow_redirects=False).status_code == 303
    page = client.get(detail_url)
    assert "已批准" in page.text
    assert f"{year}年度" in page.text
    assert "批准设立" not in page.text  # decided: no more decision forms


def test_rejection_needs_a_reason(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    detail_url = post_form(client, form_url, url(client, "page_studio_submit"), form_data(talent))
    detail_url = detail_url.headers["location"].split("?")[0]
    app_id = detail_url.rsplit("/", 1)[1]
    sign_in(client, db, login, "province_admin")
    reject = url(client, "page_studio_action", application_id=app_id, verb="reject")
    empty = post_form(client, detail_url, reject, {"reason": " "})
    assert empty.status_code == 422
    assert "请填写不予批准的理由" in empty.text
    asked = post_form(client, detail_url, reject, {"reason": "计划不具体"})
    assert asked.status_code == 200 and "确认不予批准" in asked.text
    assert confirm(client, asked, follow_redirects=False).status_code == 303
    assert "计划不具体" in client.get(detail_url).text


def test_pages_keep_the_city_wall_and_the_roles(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    created = post_form(client, form_url, url(client, "page_studio_submit"), form_data(talent))
    detail_url = created.headers["location"].split("?")[0]
    app_id = detail_url.rsplit("/", 1)[1]
    sign_in(client, db, login, "city_operator", WUHU)
    assert client.get(detail_url).status_code == 404
    assert client.get(form_url).status_code == 404
    accept = url(client, "page_studio_action", application_id=app_id, verb="accept")
    assert post_form(client, url(client, "page_studio_list"), accept, {}).status_code == 403
    sign_in(client, db, login, "auditor")
    seen = client.get(detail_url)
    assert seen.status_code == 200
    assert "受理，进入评审" not in seen.text


def test_a_form_without_its_token_is_refused(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    response = client.post(url(client, "page_studio_submit"), data=form_data(talent))
    assert response.status_code == 403
