"""A mistyped number at the counter gets a format error, never "no priority": only digits
are an ID number, only a card the system knows is a card number; nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.lookup.models import LookupRecord
from tests.conftest import Login
from tests.lookup.factories import make_talent
from tests.pages.conftest import csrf_of


def _look_up(client: TestClient, query: str) -> object:
    counter = client.get(client.app.url_path_for("page_counter_home"))  # type: ignore[attr-defined]
    return client.post(
        client.app.url_path_for("page_counter_lookup"),  # type: ignore[attr-defined]
        data={
            "csrf_token": csrf_of(counter.text),
            "query": query,
            "service": "housing",
            "purpose": "购房资格审核",
        },
    )


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("abc123", "系统中没有这个蓝卡卡号"),
        ("3401021980010100123", "身份证号应为18位，当前为19位"),
        ("34010219800101", "身份证号应为18位，当前为14位"),
        ("坏卡号", "蓝卡卡号应为4至32位字母、数字或连字符"),
        ("ABC", "蓝卡卡号应为4至32位字母、数字或连字符"),
        ("AH-XYZ", "蓝卡卡号应为4至32位字母、数字或连字符"),
    ],
)
def test_a_typo_is_a_format_error_and_records_nothing(
    client: TestClient, sign_in: Callable[..., Login], db: Session, typed: str, said: str
) -> None:
    sign_in("window_clerk")
    answer = _look_up(client, typed)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert said in text
    assert "无优先资格" not in text and "有优先资格" not in text
    assert db.scalar(select(func.count()).select_from(LookupRecord)) == 0


def test_a_known_card_number_however_typed_is_answered(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    person = make_talent(db)
    db.commit()
    sign_in("window_clerk")
    answer = _look_up(client, " " + person.card_no.lower() + " ")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "有优先资格" in answer.text  # type: ignore[attr-defined]
    assert db.scalar(select(func.count()).select_from(LookupRecord)) == 1
