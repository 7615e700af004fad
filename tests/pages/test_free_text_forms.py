"""Page forms check their text with the API's checker: an ID number in a purpose or a
reason is refused (422) and nothing of it is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lookup.models import LookupRecord
from app.studios.models import StudioApplication
from tests.duties_factories import HEFEI, make_talent
from tests.duties_pages import post_form, sign_in
from tests.lookup.factories import make_talent as make_person
from tests.studios.test_pages import form_data, url

SPACED = "340102 19800101 001x"


def test_counter_purpose_holding_an_id_number_is_refused_unrecorded(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    person = make_person(db)
    clerk = sign_in(client, db, login, "window_clerk")
    answer = post_form(
        client,
        url(client, "page_counter_home"),
        url(client, "page_counter_lookup"),
        {"query": person.id_number, "service": "housing", "purpose": f"办理 {SPACED}"},
    )
    assert answer.status_code == 422
    assert "查询事由不能包含身份证号" in answer.text
    assert "19800101" not in answer.text.replace(SPACED, "")  # only the form echoes its input
    db.expire_all()
    recorded = db.scalars(select(LookupRecord).where(LookupRecord.caller_name == clerk.username))
    assert recorded.all() == []


def test_studio_texts_holding_an_id_number_are_refused(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    form_url = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    submit = url(client, "page_studio_submit")
    refused = post_form(client, form_url, submit, form_data(talent, plan_summary=SPACED))
    assert "建设计划摘要不能包含身份证号" in refused.text
    detail_url = post_form(client, form_url, submit, form_data(talent)).headers["location"]
    detail_url = detail_url.split("?")[0]
    application_id = detail_url.rsplit("/", 1)[1]
    sign_in(client, db, login, "province_admin")
    reject = url(client, "page_studio_action", application_id=application_id, verb="reject")
    refused = post_form(client, detail_url, reject, {"reason": f"材料不实 {SPACED}"})
    assert refused.status_code == 422
    assert "不能包含身份证号" in refused.text
    db.expire_all()
    application = db.scalars(select(StudioApplication)).one()
    assert (application.status, application.reject_reason) == ("submitted", None)
