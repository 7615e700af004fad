"""The review lists of dynamic management: markers expiring within 90 days, records not
refiled for over a year, holders at or near the statutory retirement age."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.keys import get_keyring
from app.registry.identifiers import id_check_character
from app.registry.markers import local_today
from app.registry.review_lists import ReviewList, review_list
from tests.lookup.factories import make_talent
from tests.registry.factories import WUHU, file, talent_data

PROVINCE = Principal(kind="user", id=uuid.uuid4(), name="p", role="province_admin")


def _id_number(born: date, male: bool) -> str:
    first17 = f"340102{born:%Y%m%d}01{1 if male else 2}"
    return first17 + id_check_character(first17)


def _found(db: Session, which: ReviewList, caller: Principal = PROVINCE) -> list[Any]:
    return review_list(db, caller, which, today=local_today(), keyring=get_keyring())


def test_markers_expiring_within_90_days_soonest_first(db: Session) -> None:
    today = local_today()
    later = make_talent(db, valid_until=today + timedelta(days=80))
    sooner = make_talent(db, valid_until=today + timedelta(days=10))
    make_talent(db, valid_until=today + timedelta(days=120))
    make_talent(db, marker="suspended", valid_until=today + timedelta(days=10))
    make_talent(db, valid_until=today - timedelta(days=1))  # already expired

    found = _found(db, ReviewList.expiring)

    assert [item.marker_code for item in found] == [sooner.marker_code, later.marker_code]
    assert found[0].due == today + timedelta(days=10)


def test_records_not_refiled_for_more_than_a_year(db: Session) -> None:
    today = local_today()
    old = file(db, talent_data(), today=today - timedelta(days=400))
    file(db, talent_data(), today=today - timedelta(days=200))

    found = _found(db, ReviewList.stale)

    assert [item.talent_id for item in found] == [old.id]
    assert found[0].due == today - timedelta(days=400)


def test_holders_at_or_near_retirement_age(db: Session) -> None:
    retired_man = make_talent(db, id_number=_id_number(date(1960, 5, 1), male=True))
    retired_woman = make_talent(db, id_number=_id_number(date(1970, 6, 1), male=False))
    make_talent(db, id_number=_id_number(date(1985, 5, 1), male=True))
    make_talent(db, id_number=_id_number(date(1990, 5, 1), male=False))
    make_talent(db, marker="revoked", id_number=_id_number(date(1958, 5, 1), male=True))

    found = _found(db, ReviewList.retiring)

    assert [item.talent_id for item in found] == [retired_man.talent_id, retired_woman.talent_id]
    assert [item.due for item in found] == [date(2020, 5, 1), date(2020, 6, 1)]


def test_a_city_operator_s_list_holds_its_own_city_only(db: Session) -> None:
    today = local_today()
    make_talent(db, valid_until=today + timedelta(days=10))
    wuhu = make_talent(db, city_code=WUHU, valid_until=today + timedelta(days=10))
    operator = Principal(
        kind="user", id=PROVINCE.id, name="c", role="city_operator", city_code=WUHU
    )
    assert [i.marker_code for i in _found(db, ReviewList.expiring, operator)] == [wuhu.marker_code]


def test_the_pages_count_list_and_export_each_review_list(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    today = local_today()
    soon = make_talent(db, valid_until=today + timedelta(days=10))
    db.commit()
    headers = login("province_admin").headers
    db.commit()

    def get(route: str, **params: str) -> Any:
        path = client.app.url_path_for(route, **params)  # type: ignore[attr-defined]
        return client.get(path, headers=headers)

    home = get("page_province_home")
    assert home.status_code == 200
    assert '<li class="bad" data-list="expiring"><strong>1</strong>' in home.text
    listed = get("page_review_list", which="expiring")
    assert soon.marker_code in listed.text
    exported = get("page_review_list_xlsx", which="expiring")
    assert exported.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "姓名", "设区市", "标识编码", "有效期至")
    assert rows[2] == (
        1,
        soon.name,
        "合肥市",
        soon.marker_code,
        (today + timedelta(10)).isoformat(),
    )
    assert soon.id_number not in exported.content.decode("latin-1")


def test_city_operators_cannot_open_the_review_pages(
    client: TestClient, login: Callable[..., Any]
) -> None:
    headers = login("city_operator", "340100").headers
    path = client.app.url_path_for("page_review_lists")  # type: ignore[attr-defined]
    assert client.get(path, headers=headers).status_code == 403
