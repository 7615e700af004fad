"""The city's and the province's filing pages over the filing service (TestClient)."""

from __future__ import annotations

import re
from collections.abc import Callable

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.body_limit import UPLOAD_OVERHEAD_BYTES
from app.filing.models import Submission
from app.registry.models import Talent
from tests.conftest import Login
from tests.filing.api import next_period
from tests.pages.conftest import confirm, csrf_of
from tests.pages.seed import csv_of, pending_submission, person

_SUBMISSION_PATH = re.compile(r"/city/submissions/([0-9a-f-]{36})$")


def _upload(client: TestClient, content: bytes, *, period: str = "2026Q4", key: str = "k-1"):  # type: ignore[no-untyped-def]
    page = client.get(client.app.url_path_for("page_city_home"))
    return client.post(
        client.app.url_path_for("page_city_upload"),
        data={"csrf_token": csrf_of(page.text), "period": period, "idempotency_key": key},
        files={"file": ("合肥.csv", content, "text/csv")},
        follow_redirects=False,
    )


def _count_submissions(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Submission)) or 0


def test_an_upload_leads_to_its_submission_and_a_double_click_files_it_once(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("city_operator", "340100")
    before = _count_submissions(db)
    content = csv_of([person(501)])
    first = _upload(client, content, key="double-click")
    second = _upload(client, content, key="double-click")
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _SUBMISSION_PATH.search(first.headers["location"])
    assert _count_submissions(db) == before + 1
    detail = client.get(first.headers["location"])
    assert "校验通过" in detail.text
    assert "提交省级审核" in detail.text


def test_a_bad_period_is_explained_on_the_upload_page(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    sign_in("city_operator", "340100")
    response = _upload(client, csv_of([person(502)]), period="2026年4季度")
    assert response.status_code == 422
    assert "报送期次格式不正确" in response.text


def test_a_period_that_has_not_begun_is_refused_on_the_upload_page(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    sign_in("city_operator", "340100")
    response = _upload(client, csv_of([person(503)]), period=next_period())
    assert response.status_code == 422
    assert "尚未开始，只能报送已开始的季度" in response.text
    assert _count_submissions(db) == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, sign_in: Callable[..., Login], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.settings import get_settings

    sign_in("city_operator", "340100")
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)
    response = _upload(client, b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "文件超过 1 MB 的上限" in response.text


def test_row_errors_are_shown_in_chinese_and_download_as_csv(
    client: TestClient, sign_in: Callable[..., Login]
) -> None:
    sign_in("city_operator", "340100")
    broken = dict(person(503), frontline_since="二〇〇四")
    detail = client.get(_upload(client, csv_of([broken])).headers["location"])
    assert "校验未通过" in detail.text
    assert "一线工作起始年份" in detail.text
    assert "提交省级审核</button>" not in detail.text
    submission_id = _SUBMISSION_PATH.search(str(detail.url))
    assert submission_id is not None
    report = client.get(
        client.app.url_path_for("page_city_report", submission_id=submission_id.group(1))
    )
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    assert "attachment" in report.headers["content-disposition"]
    assert "行号" in report.content.decode("utf-8-sig")


@pytest.mark.parametrize("route", ["page_city_template_csv", "page_city_template_xlsx"])
def test_templates_download_from_the_city_page(
    client: TestClient, sign_in: Callable[..., Login], route: str
) -> None:
    sign_in("city_operator", "340100")
    response = client.get(client.app.url_path_for(route))
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]


def test_a_city_cannot_open_another_citys_submission(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    other = pending_submission(db, [person(504, city_code="340200")], city_code="340200")
    db.commit()
    sign_in("city_operator", "340100")
    response = client.get(
        client.app.url_path_for("page_city_submission", submission_id=str(other.id))
    )
    assert response.status_code == 404
    assert "未找到该备案报送" in response.text


def test_rejecting_needs_a_reason_and_then_reaches_the_city(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    submission = pending_submission(db, [person(505)], city_code="340100")
    db.commit()
    sign_in("province_admin")
    path = client.app.url_path_for("page_province_submission", submission_id=str(submission.id))
    page = client.get(path)
    reject = client.app.url_path_for("page_province_reject", submission_id=str(submission.id))
    empty = client.post(reject, data={"csrf_token": csrf_of(page.text), "reason": "  "})
    assert empty.status_code == 422
    assert "请填写退回原因" in empty.text
    reason = "第3行单位名称有误"
    asked = client.post(reject, data={"csrf_token": csrf_of(page.text), "reason": reason})
    assert asked.status_code == 200 and "确认退回" in asked.text and reason in asked.text
    done = confirm(client, asked)
    assert done.status_code == 200
    assert "已退回该报送" in done.text
    db.refresh(submission)
    assert submission.status == "rejected"
    assert submission.reject_reason == reason


def test_approval_refused_by_the_service_files_nothing_and_says_why(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    record = person(506)
    submission = pending_submission(db, [record], city_code="340100")
    # The registry moves after validation: the same person is filed in the meantime.
    pending_submission(db, [record], city_code="340100", period="2026Q2")
    db.commit()
    sign_in("province_admin")
    later = db.scalars(select(Submission).where(Submission.period == "2026Q2")).one()
    page = client.get(
        client.app.url_path_for("page_province_submission", submission_id=str(later.id))
    )
    client.post(
        client.app.url_path_for("page_province_approve", submission_id=str(later.id)),
        data={"csrf_token": csrf_of(page.text), "confirmed": "true"},
    )
    response = client.post(
        client.app.url_path_for("page_province_approve", submission_id=str(submission.id)),
        data={"csrf_token": csrf_of(page.text), "confirmed": "true"},
    )
    assert response.status_code == 409
    assert "登记库中以下人员的记录已发生变化" in response.text
    db.expire_all()
    assert db.get(Submission, submission.id).status == "pending_review"  # type: ignore[union-attr]
    assert db.scalar(select(func.count()).select_from(Talent)) == 1


def test_the_queue_lists_pending_submissions_by_city(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    pending_submission(db, [person(507, city_code="341000")], city_code="341000")
    db.commit()
    sign_in("province_admin")
    queue = client.get(client.app.url_path_for("page_province_home"))
    assert queue.status_code == 200
    assert "黄山市" in queue.text


def test_an_upload_without_a_declared_length_is_cut_off_at_the_limit(
    app: FastAPI,
    client: TestClient,
    sign_in: Callable[..., Login],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Streamed (no Content-Length): the page stops reading once the limit is passed, as
    the API does, instead of taking in the whole body first."""
    from app.core.settings import get_settings
    from app.pages.session import SESSION_COOKIE

    sign_in("city_operator", "340100")
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)
    token = csrf_of(client.get(client.app.url_path_for("page_city_home")).text)
    head = (
        f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        '--b\r\nContent-Disposition: form-data; name="period"\r\n\r\n2026Q4\r\n'
        '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    ).encode()
    chunk, chunks_sent, status = 64 * 1024, 0, 0

    async def receive() -> dict[str, object]:
        nonlocal chunks_sent
        chunks_sent += 1
        if chunks_sent == 1:
            return {"type": "http.request", "body": head, "more_body": True}
        if chunks_sent < 8 * 1024 * 1024 // chunk:
            return {"type": "http.request", "body": b"x" * chunk, "more_body": True}
        return {"type": "http.request", "body": b"\r\n--b--\r\n", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    cookie = f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": str(app.url_path_for("page_city_upload")),
        "raw_path": str(app.url_path_for("page_city_upload")).encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"multipart/form-data; boundary=b"),
            (b"cookie", cookie.encode()),
        ],
    }
    anyio.run(app, scope, receive, send)
    assert status == 413
    assert chunks_sent <= 2 + (1024 * 1024 + UPLOAD_OVERHEAD_BYTES) // chunk
