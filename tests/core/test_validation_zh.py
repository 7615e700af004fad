"""Validation errors in Chinese (issue 23.3, 22.4): one translation of pydantic's error
types, naming the field in Chinese, used by the API (over real HTTP) and the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from app.core.validation_zh import api_errors, field_label, message_zh
from app.field_labels import FIELD_LABELS
from tests.registry.factories import file, talent_data

# What pydantic says in English: none of it may reach a person.
_ENGLISH = re.compile(
    r"Field required|Input should|should have|JSON decode|Value error|[a-z]{4,} [a-z]{4,}"
)


class _Honor(BaseModel):
    year: int = Field(ge=1949)


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=5)
    service: Literal["housing", "medical"]
    id_numbers: list[str] = Field(min_length=1, max_length=2)
    page: int = 1
    on: date | None = None
    honors: list[_Honor] = []


def _errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate(data)
    return [dict(e) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({}, "required", "请填写查询事由"),
        ({"purpose": 5}, "string_type", "查询事由应为文字"),
        ({"purpose": "一二三四五六"}, "string_too_long", "查询事由最多5个字，请精简"),
        (
            {"service": "bank"},
            "literal_error",
            "服务事项的取值无效，应为以下之一：housing、medical",
        ),
        ({"id_numbers": []}, "too_short", "身份证号列表至少应有1项"),
        ({"id_numbers": ["a", "b", "c"]}, "too_long", "身份证号列表最多2项"),
        ({"id_numbers": ["a", 7]}, "string_type", "身份证号列表第2项应为文字"),
        ({"page": "abc"}, "int_parsing", "页码应为整数"),
        (
            {"on": "2026-12-06T10:00:00"},
            "date_from_datetime_inexact",
            "日期应为日期（YYYY-MM-DD），不带时间",
        ),
        ({"on": "12/06/2026"}, "date_from_datetime_parsing", "日期应为日期（YYYY-MM-DD）"),
        ({"honors": [{"year": 1900}]}, "greater_than_equal", "授予年份不能小于1949"),
        ({"bogus": 1}, "unknown_field", "不认识的字段「bogus」，请检查拼写"),
    ],
)
def test_each_error_type_reads_in_chinese_naming_the_field(
    data: dict[str, Any], code: str, message: str
) -> None:
    base = {"purpose": "审核", "service": "housing", "id_numbers": ["x"]}
    errors = api_errors(_errors({**base, **data} if data else {}), FIELD_LABELS)
    assert (code, message) in {(e["code"], e["message"]) for e in errors}, errors
    assert not any(_ENGLISH.search(e["message"]) for e in errors), errors


def test_an_unknown_type_falls_back_to_a_chinese_sentence_and_our_own_messages_stay() -> None:
    odd = {"type": "something_new", "loc": ("body", "purpose"), "msg": "Something new"}
    assert message_zh(odd, FIELD_LABELS) == "查询事由填写有误，请检查"
    own = {"type": "id_number_in_text", "loc": ("purpose",), "msg": "不能包含身份证号，请删去"}
    assert message_zh(own, FIELD_LABELS) == "查询事由不能包含身份证号，请删去"
    whole = {"type": "value_error", "loc": (), "msg": "Value error, 请提供身份证号或蓝卡卡号"}
    assert message_zh(whole, FIELD_LABELS) == "请提供身份证号或蓝卡卡号"


def test_labels_reuse_the_filing_columns_and_unlabelled_fields_keep_their_name() -> None:
    assert field_label(("body", "dependents", 0, "name"), FIELD_LABELS) == "家属姓名"
    assert field_label(("body", "conditions", "frontline", "note"), FIELD_LABELS) == "一线坚守说明"
    assert field_label(("query", "no_such_field"), FIELD_LABELS) == "「no_such_field」"


def test_the_api_answers_validation_errors_in_chinese(
    client: TestClient, login: Callable[..., Any]
) -> None:
    url = client.app.url_path_for("priority_lookup")  # type: ignore[attr-defined]
    body = {"id_number": 5, "service": "bank"}
    answer = client.post(url, json=body, headers=login("window_clerk").headers)
    assert answer.status_code == 422
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    by_field = {e["field"]: e for e in problem["errors"]}
    assert by_field["purpose"] == {
        "field": "purpose",
        "code": "required",
        "message": "请填写查询事由",
    }
    assert by_field["id_number"]["message"] == "身份证号应为文字"
    assert problem["detail"].startswith("请求内容有误：")
    assert not _ENGLISH.search(problem["detail"]), problem["detail"]


def test_malformed_json_is_a_body_error_not_a_character_position(
    client: TestClient, login: Callable[..., Any]
) -> None:
    url = client.app.url_path_for("priority_lookup")  # type: ignore[attr-defined]
    headers = {**login("window_clerk").headers, "Content-Type": "application/json"}
    answer = client.post(url, content=b'{"id_number": ', headers=headers)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "malformed_json"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("body", "malformed_json")]
    assert "不是有效的 JSON" in problem["detail"]


def test_a_batch_too_short_and_its_entries_errors_carry_chinese_messages(
    client: TestClient, partner_login: Callable[..., Any]
) -> None:
    url = client.app.url_path_for("priority_lookups")  # type: ignore[attr-defined]
    headers = partner_login(["priority:housing"]).headers
    empty = client.post(
        url, json={"service": "housing", "purpose": "审核", "id_numbers": []}, headers=headers
    )
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["message"] == "身份证号列表至少应有1项"
    for kind, code in (("id_numbers", "invalid_id_number"), ("card_nos", "invalid_card_no")):
        body = {"service": "housing", "purpose": "审核", kind: ["%%%"]}
        entry = client.post(url, json=body, headers=headers).json()["results"][0]
        assert entry["error"]["code"] == code
        assert re.search(r"[\u4e00-\u9fff]", entry["error"]["message"])


def test_a_talent_edit_names_nested_and_nulled_fields_in_chinese(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    headers = login("province_admin").headers
    db.commit()
    talent = file(db, talent_data())
    url = client.app.url_path_for("talent_update", talent_id=str(talent.id))  # type: ignore[attr-defined]
    edit = {
        "name": None,
        "honors": [
            {"category": "national_model_worker", "title": "t", "conferred_by": "c", "year": "abc"}
        ],
    }
    answer = client.patch(url, headers={**headers, "If-Match": f'"{talent.version}"'}, json=edit)
    assert answer.status_code == 422
    messages = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert messages["name"] == "名称不能为空"
    assert messages["honors.0.year"] == "授予年份应为整数"
