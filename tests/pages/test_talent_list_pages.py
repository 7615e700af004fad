"""The talent list: ID-number search through the blind index (the read recorded), totals
and page numbers, the XLSX export and the print view, each within the city wall."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.core.keys import get_keyring
from app.lookup.models import LookupRecord
from app.pages.talents import PAGE_SIZE, SEARCH_PURPOSE
from tests.conftest import Login
from tests.duties_pages import csrf_of
from tests.pages.seed import file_talent, unknown_id_number


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))  # type: ignore[attr-defined]


def _search(client: TestClient, id_number: str) -> object:
    page = client.get(url(client, "page_talent_list"))
    return client.post(
        url(client, "page_talent_search"),
        data={"id_number": id_number, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_an_id_number_finds_the_record_and_the_read_is_recorded(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent, record = file_talent(db, seed=31)
    db.commit()
    sign_in("province_admin")
    number = record["id_number"]
    typed = f"{number[:6]} {number[6:14]} {number[14:]}".lower()  # as a clerk may type it
    found = _search(client, typed)
    assert found.status_code == 303  # type: ignore[attr-defined]
    target = url(client, "page_talent_record", talent_id=str(talent.id))
    assert found.headers["location"] == target  # type: ignore[attr-defined]
    assert number not in found.headers["location"]  # type: ignore[attr-defined]
    purposes = db.scalars(
        select(LookupRecord.purpose).where(
            LookupRecord.subject_hash == get_keyring().blind_index(number)
        )
    ).all()
    assert SEARCH_PURPOSE in purposes


def test_an_unknown_number_says_so_and_a_mistyped_one_is_refused(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("province_admin")
    unknown = unknown_id_number(32)
    answer = _search(client, unknown)
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "未找到该身份证号的人才记录" in answer.text  # type: ignore[attr-defined]
    assert unknown not in answer.text  # type: ignore[attr-defined]
    recorded = db.scalars(
        select(LookupRecord.outcome).where(
            LookupRecord.subject_hash == get_keyring().blind_index(unknown)
        )
    ).all()
    assert recorded == ["not_found"]
    mistyped = _search(client, unknown[:-1])
    assert mistyped.status_code == 422  # type: ignore[attr-defined]
    assert "身份证号：" in mistyped.text  # type: ignore[attr-defined]
    assert unknown[:-1] not in mistyped.text  # type: ignore[attr-defined]


def test_a_city_operator_does_not_find_another_citys_person(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    _talent, record = file_talent(db, seed=33, city_code="340200")
    db.commit()
    sign_in("city_operator", "340100")
    answer = _search(client, record["id_number"])
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "未找到该身份证号的人才记录" in answer.text  # type: ignore[attr-defined]


def test_the_list_has_totals_and_page_numbers(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    for seed in range(PAGE_SIZE + 2):
        file_talent(db, seed=100 + seed, city_code="340300")
    db.commit()
    sign_in("province_admin")
    first = client.get(url(client, "page_talent_list"), params={"city_code": "340300"}).text
    assert f"共 {PAGE_SIZE + 2} 人" in first and "第 1 / 2 页" in first
    second = client.get(
        url(client, "page_talent_list"), params={"city_code": "340300", "page": 2}
    ).text
    assert "第 2 / 2 页" in second
    assert len(re.findall(r'data-label="姓名"', second)) == 2


def test_the_export_is_masked_walled_and_audited(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    _mine, own = file_talent(db, seed=41, city_code="340100")
    _theirs, other = file_talent(db, seed=42, city_code="340200")
    db.commit()
    sign_in("city_operator", "340100")
    answer = client.get(url(client, "page_talent_export"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = [[str(c.value or "") for c in row] for row in sheet.iter_rows()]
    text = "\n".join("\t".join(row) for row in rows)
    assert rows[1][:3] == ["序号", "姓名", "身份证号（脱敏）"]
    assert own["name"] in text and other["name"] not in text
    assert own["id_number"] not in text
    assert own["id_number"][:6] in text  # the masked number keeps its first digits
    assert "export" in " ".join(
        db.scalars(select(AuditEvent.action).where(AuditEvent.action == "talent.export")).all()
    )


def test_the_print_view_lists_everyone_filtered(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    _talent, record = file_talent(db, seed=51, city_code="340400")
    db.commit()
    sign_in("auditor")
    html = client.get(url(client, "page_talent_print"), params={"city_code": "340400"}).text
    assert "人才名录，淮南市，共 1 人" in html
    assert record["name"] in html and record["id_number"] not in html
    assert 'class="no-print"' in html or "no-print" in html
