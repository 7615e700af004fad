"""The auditor's page over the audit events (filters, next-page links, exports, the chain
check) and a talent's access log printed for the person at a window (that read recorded)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import NamedActor
from app.lookup.models import LookupRecord
from tests.conftest import Login
from tests.lookup.factories import make_talent
from tests.pages.conftest import csrf_of
from tests.pages.seed import unknown_id_number

ADMIN = NamedActor("user:province.one", "province_admin")


def _url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))  # type: ignore[attr-defined]


def _rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)


def test_the_auditor_browses_filters_and_pages_through_the_events(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    for n in range(60):
        audit.record(db, ADMIN, "marker.revoke", f"talent:{n}", {"reason": f"核查{n}"})
    db.commit()
    sign_in("auditor")
    home = _url(client, "page_audit_home")
    first = client.get(home, params={"action": "marker.revoke"})
    assert first.status_code == 200
    assert "共 60 条" in first.text
    rows = _rows(first.text)
    assert len(rows) == 50
    assert "撤销标识" in rows[0] and "talent:59" in rows[0] and "原因</span>：核查59" in rows[0]
    following = re.search(r'href="([^"]+)">下一页（更早的记录）', first.text)
    assert following, "a next-page link"
    second = client.get(html.unescape(following.group(1)))
    assert [r for r in _rows(second.text) if "talent:" in r][-1].count("talent:0<") == 1
    assert len(_rows(second.text)) == 10
    assert "下一页" not in second.text and "回到最新" in second.text

    prefix = client.get(home, params={"object": "talent:5*", "action": "marker.revoke"})
    assert "共 11 条" in prefix.text  # talent:5 and talent:50..59
    nothing = client.get(home, params={"actor": "user:nobody", "since": "", "until": ""})
    assert "没有符合条件的审计记录" in nothing.text
    bad_day = client.get(home, params={"until": "2026-13-01"})
    assert bad_day.status_code == 422 and "截止日期应为日期" in bad_day.text


def test_the_page_exports_what_it_shows_and_keeps_the_chain_check(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    audit.record(db, ADMIN, "api_key.revoke", "partner:1", {"prefix": "abcd"})
    db.commit()
    sign_in("province_admin")
    page = client.get(_url(client, "page_audit_home"), params={"action": "api_key.revoke"})
    link = re.search(r'href="([^"]+export\.csv[^"]*)"', page.text)
    assert link
    exported = client.get(html.unescape(link.group(1)))
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][4] == "吊销密钥"
    xlsx = client.get(_url(client, "page_audit_export", extension="xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    verified = client.get(_url(client, "page_audit_verify"))
    assert "审计链完整" in verified.text


def test_a_city_operator_sees_no_audit_page(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    sign_in("city_operator", "340100")
    assert client.get(_url(client, "page_audit_home")).status_code == 403
    assert client.get(_url(client, "page_audit_export", extension="csv")).status_code == 403


def _printed_reads(db: Session) -> int:
    db.commit()  # a fresh snapshot: the server wrote since
    query = select(func.count()).select_from(LookupRecord)
    return db.scalar(query.where(LookupRecord.purpose == "打印查询记录")) or 0


def test_a_clerk_prints_the_access_log_of_the_person_at_the_window(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    person = make_talent(db, name="程晓峰")
    db.commit()
    sign_in("window_clerk")
    counter = client.get(_url(client, "page_counter_home"))
    sheet = client.post(
        _url(client, "page_counter_access_log"),
        data={"csrf_token": csrf_of(counter.text), "person_id_number": person.id_number},
    )
    assert sheet.status_code == 200
    assert "高技能领军人才优先服务查询记录" in sheet.text and "程晓峰" in sheet.text
    assert person.id_number not in sheet.text
    assert person.id_number[:6] + "**********" in sheet.text
    assert "print.js" in sheet.text
    # This reading is recorded like any other, and appears in the log it prints.
    assert _printed_reads(db) == 1
    assert "打印查询记录" in "".join(_rows(sheet.text))

    stranger = client.post(
        _url(client, "page_counter_access_log"),
        data={"csrf_token": csrf_of(counter.text), "person_id_number": unknown_id_number(77)},
    )
    assert "未找到持有有效标识的人员" in stranger.text
    assert _printed_reads(db) == 2


def test_the_talent_page_links_a_print_view_of_its_access_log(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    person = make_talent(db)
    db.commit()
    sign_in("city_operator", "340100")
    record = client.get(_url(client, "page_talent_record", talent_id=str(person.talent_id)))
    printed = _url(client, "page_talent_access_log_print", talent_id=str(person.talent_id))
    assert printed in record.text
    sheet = client.get(printed)
    assert sheet.status_code == 200
    assert _printed_reads(db) == 1
    assert "人才记录查阅" in sheet.text  # the earlier reading of the record, listed
