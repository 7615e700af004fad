"""Who sees which page, errors in Chinese, and no ID number in any URL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Login
from tests.pages.conftest import csrf_of
from tests.pages.seed import file_talent, unknown_id_number

_ID_NUMBER_LIKE = re.compile(r"\d{17}[\dXx]")
_LINKS = re.compile(r'(?:href|action|src)="([^"]*)"')

# (role, page route, expected status): each role reaches its own area and no other.
ROLE_PAGES = [
    ("window_clerk", "page_counter_home", 200),
    ("window_clerk", "page_talent_list", 403),
    ("window_clerk", "page_partner_list", 403),
    ("window_clerk", "page_audit_home", 403),
    ("city_operator", "page_talent_list", 200),
    ("city_operator", "page_counter_home", 403),
    ("city_operator", "page_partner_list", 403),
    ("city_operator", "page_audit_home", 403),
    ("province_admin", "page_talent_list", 200),
    ("province_admin", "page_partner_list", 200),
    ("province_admin", "page_audit_home", 200),
    ("province_admin", "page_counter_home", 403),
    ("auditor", "page_talent_list", 200),
    ("auditor", "page_audit_home", 200),
    ("auditor", "page_partner_list", 403),
    ("auditor", "page_counter_home", 403),
]


@pytest.mark.parametrize(("role", "route", "status"), ROLE_PAGES)
def test_each_role_reaches_only_its_own_pages(
    client: TestClient, sign_in: Callable[..., Login], role: str, route: str, status: int
) -> None:
    sign_in(role, "340100" if role == "city_operator" else None)
    response = client.get(client.app.url_path_for(route), follow_redirects=False)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    if status == 403:
        assert "无权访问" in response.text


def test_an_auditor_cannot_act_on_a_marker(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent, _record = file_talent(db, seed=11)
    db.commit()
    sign_in("auditor")
    path = client.app.url_path_for("page_talent_record", talent_id=str(talent.id))
    page = client.get(path)
    assert page.status_code == 200
    assert "暂停标识" not in page.text
    action = client.app.url_path_for(
        "page_talent_marker_action", talent_id=str(talent.id), verb="suspend"
    )
    response = client.post(action, data={"csrf_token": csrf_of(page.text), "reason": "核查"})
    assert response.status_code == 403
    assert talent.marker is not None and talent.marker.status == "active"


def test_a_city_operator_cannot_open_another_citys_talent(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent, _record = file_talent(db, seed=12, city_code="340200")
    db.commit()
    sign_in("city_operator", "340100")
    response = client.get(client.app.url_path_for("page_talent_record", talent_id=str(talent.id)))
    assert response.status_code == 404
    assert "未找到该人才记录" in response.text


def test_the_counter_lookup_is_a_post_and_no_page_links_to_an_id_number(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    _talent, record = file_talent(db, seed=13)
    db.commit()
    sign_in("window_clerk")
    counter = client.get(client.app.url_path_for("page_counter_home"))
    lookup = client.app.url_path_for("page_counter_lookup")
    assert client.get(lookup).status_code == 405
    answer = client.post(
        lookup,
        data={
            "csrf_token": csrf_of(counter.text),
            "query": record["id_number"],
            "service": "housing",
            "purpose": "购房资格审核",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 200
    assert "有优先资格" in answer.text
    assert record["id_number"] not in answer.text
    assert str(answer.url).endswith(lookup)
    for link in _LINKS.findall(answer.text):
        assert not _ID_NUMBER_LIKE.search(link), link


def test_talent_pages_link_by_uuid_and_show_masked_numbers_only(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent, record = file_talent(db, seed=14)
    db.commit()
    sign_in("province_admin")
    listing = client.get(client.app.url_path_for("page_talent_list"))
    detail_path = client.app.url_path_for("page_talent_record", talent_id=str(talent.id))
    assert detail_path in listing.text
    detail = client.get(detail_path)
    numbers = [record["id_number"], *(d["id_number"] for d in record["dependents"])]
    for html in (listing.text, detail.text):
        assert not [number for number in numbers if number in html]
        for link in _LINKS.findall(html):
            assert not _ID_NUMBER_LIKE.search(link), link


@pytest.mark.parametrize("route", ["page_roster", "page_talent_list"])
def test_a_search_box_refuses_an_id_number(
    client: TestClient, sign_in: Callable[..., Login], route: str
) -> None:
    sign_in("province_admin")
    field = "q" if route == "page_roster" else "name"
    response = client.get(
        client.app.url_path_for(route), params={field: unknown_id_number(seed=15)}
    )
    assert response.status_code == 422
    assert "不要输入身份证号" in response.text


def test_unknown_pages_and_records_get_chinese_error_pages(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    sign_in("province_admin")
    missing = client.get(client.app.url_path_for("page_talent_record", talent_id=str(uuid.uuid4())))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "未找到" in missing.text
    nowhere = client.get("/no-such-page", headers={"accept": "text/html"})
    assert nowhere.status_code == 404
    assert "页面不存在" in nowhere.text
    malformed = client.get("/talents/not-a-uuid")
    assert malformed.status_code == 422
    assert "提交的内容有误" in malformed.text


def test_a_marker_code_never_issued_gets_a_chinese_404(client: TestClient) -> None:
    response = client.get(client.app.url_path_for("page_verify", marker_code="LT-NEVER0ISSUED"))
    assert response.status_code == 404
    assert "未找到该标识编码" in response.text and "标识无效" in response.text


def test_the_api_keeps_problem_json(client: TestClient, sign_in: Callable[..., Login]) -> None:
    who = sign_in("province_admin")
    response = client.get(
        f"/api/v1/talents/{uuid.uuid4()}", headers={**who.headers, "accept": "text/html"}
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/nowhere").headers["content-type"] == "application/problem+json"


def test_pages_carry_security_headers_and_the_chinese_language(client: TestClient) -> None:
    response = client.get(client.app.url_path_for("page_roster"))
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/static/site.css").status_code == 200
