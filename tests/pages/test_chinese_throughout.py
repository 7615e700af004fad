"""Chinese throughout (issue 22.4): pages name people by display name, never `user:<login>`;
the error report downloads with Chinese headers, Chinese messages and the codes in a column
of their own; a page's validation errors read in Chinese."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.access.models import User
from app.filing.report_csv import HEADERS
from tests.conftest import Login
from tests.pages.conftest import csrf_of
from tests.pages.seed import csv_of, person

_SUBMISSION_PATH = re.compile(r"/city/submissions/([0-9a-f-]{36})$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _named(db: Session, who: Login, display_name: str) -> None:
    db.execute(update(User).where(User.username == who.username).values(display_name=display_name))
    db.commit()


def test_a_submission_names_its_uploader_by_display_name_and_reports_in_chinese(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    operator = sign_in("city_operator", "340100")
    _named(db, operator, "王经办")
    page = client.get(client.app.url_path_for("page_city_home"))  # type: ignore[attr-defined]
    broken = dict(person(601), frontline_since="二〇〇四")
    uploaded = client.post(
        client.app.url_path_for("page_city_upload"),  # type: ignore[attr-defined]
        data={"csrf_token": csrf_of(page.text), "period": "2026Q4", "idempotency_key": "dn-1"},
        files={"file": ("合肥.csv", csv_of([broken]), "text/csv")},
        follow_redirects=False,
    )
    detail = client.get(uploaded.headers["location"])
    assert "王经办" in detail.text
    assert f"user:{operator.username}" not in detail.text
    assert operator.username not in detail.text
    found = _SUBMISSION_PATH.search(str(detail.url))
    assert found is not None
    report = client.get(
        client.app.url_path_for("page_city_report", submission_id=found.group(1))  # type: ignore[attr-defined]
    )
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADERS
    assert all(_CJK.search(header) for header in rows[0])
    code_at, message_at = HEADERS.index("错误代码"), HEADERS.index("错误说明")
    assert all(re.fullmatch(r"[a-z_]+", row[code_at]) for row in rows[1:])
    assert rows[1:] and all(_CJK.search(row[message_at]) for row in rows[1:])


def test_a_page_query_error_reads_in_chinese(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    sign_in("province_admin")
    answer = client.get(
        client.app.url_path_for("page_talent_list"),  # type: ignore[attr-defined]
        params={"city_code": "abc"},
        headers={"Accept": "text/html"},
    )
    assert answer.status_code == 422
    assert "城市代码的格式不正确" in answer.text
    assert "String should" not in answer.text
