"""A city's upload history: paged past 30, searched by period or file name, and uploads
never submitted withdrawn (kept in the history with their audit record)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent, NamedActor
from app.filing.calendar import filing_calendar
from app.filing.intake import take_in
from app.filing.models import Submission
from app.filing.upload import hashed_upload
from app.pages.city import HISTORY_SIZE
from app.registry.markers import local_today
from tests.conftest import Login
from tests.duties_pages import csrf_of
from tests.pages.seed import csv_of, pending_submission, person

HEFEI = "340100"
_OPERATOR = NamedActor(actor_id="user:city-seed", actor_role="city_operator")


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))  # type: ignore[attr-defined]


def _upload(
    db: Session, seed: int, *, name: str, period: str = "2026Q3", broken: bool = False
) -> Submission:
    record = dict(person(seed), frontline_since="二〇〇四") if broken else person(seed)
    intake = take_in(
        db,
        _OPERATOR,
        hashed_upload(io.BytesIO(csv_of([record])), name),
        city_code=HEFEI,
        period=period,
        idempotency_key=None,
        today=local_today(),
    )
    db.commit()
    return intake.submission


def _rows(html: str) -> int:
    table = re.search(r'<table id="history">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert table
    return len(re.findall(r"<tr>", table.group(1)))


def test_the_history_pages_past_thirty_and_is_searched(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    for n in range(HISTORY_SIZE + 3):
        _upload(db, 600 + n, name=f"合肥-{n:02d}.csv", period="2026Q2" if n == 0 else "2026Q3")
    sign_in("city_operator", HEFEI)
    home = url(client, "page_city_home")
    first = client.get(home).text
    assert f"共 {HISTORY_SIZE + 3} 次" in first and "第 1 / 2 页" in first
    assert _rows(first) == HISTORY_SIZE
    second = client.get(home, params={"page": 2}).text
    assert _rows(second) == 3 and "第 2 / 2 页" in second
    by_period = client.get(home, params={"q": "2026q2"}).text
    assert _rows(by_period) == 1 and "合肥-00.csv" in by_period
    by_name = client.get(home, params={"q": "合肥-1"}).text
    assert _rows(by_name) == 10


def test_an_upload_never_submitted_is_withdrawn_and_kept(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    broken = _upload(db, 700, name="有误.csv", broken=True)
    assert broken.status == "invalid"
    sign_in("city_operator", HEFEI)
    page = url(client, "page_city_submission", submission_id=str(broken.id))
    html = client.get(page).text
    assert "撤回此次上传" in html
    withdrawn = client.post(
        url(client, "page_city_withdraw", submission_id=str(broken.id)),
        data={"csrf_token": csrf_of(html)},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    home = client.get(withdrawn.headers["location"]).text
    assert "该报送已撤回" in home and "已撤回" in home and "有误.csv" in home
    db.expire_all()
    assert db.get(Submission, broken.id).status == "withdrawn"  # type: ignore[union-attr]
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.target == f"submission:{broken.id}")
    ).all()
    assert list(actions) == ["submission.create", "submission.withdraw"]
    filtered = client.get(url(client, "page_city_home"), params={"status": "withdrawn"}).text
    assert _rows(filtered) == 1


def test_a_withdrawn_upload_no_longer_counts_as_the_periods_latest(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    valid = _upload(db, 710, name="先交.csv", period="2026Q1")
    operator = login("city_operator", HEFEI)
    answer = client.post(
        url(client, "submission_withdraw", submission_id=str(valid.id)), headers=operator.headers
    )
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    calendar = filing_calendar(db, "2026Q1", city_code=HEFEI)
    assert calendar.cities[0].status == "none"


def test_a_submitted_upload_cannot_be_withdrawn(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    pending = pending_submission(db, [person(720)], city_code=HEFEI)
    db.commit()
    operator = login("city_operator", HEFEI)
    answer = client.post(
        url(client, "submission_withdraw", submission_id=str(pending.id)), headers=operator.headers
    )
    assert answer.status_code == 409
    assert "只有未提交审核的报送可以撤回" in answer.json()["detail"]
    other_city = login("city_operator", "340200")
    mine = _upload(db, 721, name="合肥.csv")
    walled = client.post(
        url(client, "submission_withdraw", submission_id=str(mine.id)), headers=other_city.headers
    )
    assert walled.status_code == 404
