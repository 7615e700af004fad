"""Review (maker-checker): the state machine, the city wall, registry changes since validation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.registry.models import Marker, Talent, TalentVersion
from tests.conftest import Login
from tests.filing.api import HOLDER_CITY, OTHER_CITY, call, submit_and_approve, talent, upload
from tests.filing.writers import people, write_json

Upload = Callable[..., dict[str, Any]]


@pytest.fixture
def uploaded(tmp_path: Path, client: TestClient, city: Login) -> Upload:
    """Upload a JSON file of `count` people of the city (seeded), as the city operator."""
    counter = iter(range(1000))

    def make(
        seed: int, count: int = 2, records: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        rows = records if records is not None else people(seed, count, city_code=HOLDER_CITY)
        path = write_json(tmp_path / f"file-{next(counter)}.json", rows)
        response = upload(client, city.headers, path)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return make


def status_after(
    client: TestClient, headers: dict[str, str], route: str, sid: str, **kw: Any
) -> tuple[int, str]:
    response = call(client, "POST", route, headers, sid, **kw)
    body = response.json()
    return response.status_code, body["code"] if "code" in body else body["status"]


def test_invalid_submission_cannot_be_submitted(
    uploaded: Upload, client: TestClient, city: Login
) -> None:
    bad = {**people(30, 1, city_code=HOLDER_CITY)[0], "name": ""}
    sid = uploaded(30, records=[bad])["id"]

    assert status_after(client, city.headers, "submission_submit", sid) == (
        409,
        "invalid_transition",
    )


def test_approval_needs_a_submitted_file(
    uploaded: Upload, client: TestClient, province: Login
) -> None:
    sid = uploaded(31)["id"]

    response = call(client, "POST", "submission_approve", province.headers, sid)

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "校验通过" in response.json()["detail"]


def test_each_transition_happens_once(
    uploaded: Upload, client: TestClient, city: Login, province: Login
) -> None:
    sid = uploaded(32)["id"]
    reason = {"json": {"reason": "材料不全"}}

    assert status_after(client, city.headers, "submission_submit", sid) == (200, "pending_review")
    assert status_after(client, city.headers, "submission_submit", sid) == (
        409,
        "invalid_transition",
    )
    assert status_after(client, province.headers, "submission_approve", sid) == (200, "applied")
    assert status_after(client, province.headers, "submission_approve", sid) == (
        409,
        "invalid_transition",
    )
    assert status_after(client, province.headers, "submission_reject", sid, **reason) == (
        409,
        "invalid_transition",
    )


def test_rejection_keeps_the_reason_and_files_nothing(
    uploaded: Upload, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    records = people(33, 2, city_code=HOLDER_CITY)
    sid = uploaded(33, records=records)["id"]
    call(client, "POST", "submission_submit", city.headers, sid)

    rejected = call(
        client, "POST", "submission_reject", province.headers, sid, json={"reason": " 材料不全 "}
    )
    listed = client.get(client.app.url_path_for("submission_list"), headers=city.headers).json()  # type: ignore[attr-defined]

    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    (item,) = [i for i in listed["items"] if i["id"] == sid]
    assert (item["reject_reason"], item["city_name"]) == ("材料不全", "合肥市")
    assert talent(db, records[0]["id_number"]) is None
    assert status_after(client, province.headers, "submission_approve", sid) == (
        409,
        "invalid_transition",
    )


def test_rejection_needs_a_reason(
    uploaded: Upload, client: TestClient, city: Login, province: Login
) -> None:
    sid = uploaded(34)["id"]
    call(client, "POST", "submission_submit", city.headers, sid)

    response = call(
        client, "POST", "submission_reject", province.headers, sid, json={"reason": "  "}
    )

    assert response.status_code == 422


def test_city_cannot_see_or_act_on_another_citys_submission(
    uploaded: Upload, client: TestClient, other_city: Login
) -> None:
    sid = uploaded(35)["id"]

    for method, route in [
        ("GET", "submission_get"),
        ("GET", "submission_report"),
        ("GET", "submission_report_csv"),
        ("GET", "submission_preview"),
        ("POST", "submission_submit"),
    ]:
        response = call(client, method, route, other_city.headers, sid)
        assert (route, response.status_code) == (route, 404)
    listed = client.get(client.app.url_path_for("submission_list"), headers=other_city.headers)  # type: ignore[attr-defined]
    assert all(item["city_code"] == OTHER_CITY for item in listed.json()["items"])
    assert sid not in {item["id"] for item in listed.json()["items"]}


def test_province_and_auditor_list_every_city_with_filters(
    uploaded: Upload, client: TestClient, login: Callable[..., Login], province: Login
) -> None:
    sid = uploaded(36)["id"]
    auditor = login("auditor")
    url = client.app.url_path_for("submission_list")  # type: ignore[attr-defined]

    for headers in (province.headers, auditor.headers):
        mine = client.get(
            url, headers=headers, params={"city_code": HOLDER_CITY, "status": "validated"}
        ).json()
        assert sid in {item["id"] for item in mine["items"]}
        none = client.get(url, headers=headers, params={"city_code": OTHER_CITY}).json()
        assert sid not in {item["id"] for item in none["items"]}
    page = client.get(url, headers=province.headers, params={"limit": 1}).json()
    assert len(page["items"]) == 1 and "total" not in page


def test_a_cursor_walk_sees_every_submission_once_while_new_ones_arrive(
    uploaded: Upload, client: TestClient, province: Login
) -> None:
    before = {uploaded(n)["id"] for n in range(40, 45)}
    url = client.app.url_path_for("submission_list")  # type: ignore[attr-defined]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "city_code": HOLDER_CITY} | ({"cursor": cursor} if cursor else {})
        page = client.get(url, headers=province.headers, params=params).json()
        seen += [item["id"] for item in page["items"]]
        uploaded(45 + len(seen))  # newer than every page already read
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) and before <= set(seen)


def test_approval_refuses_when_a_person_changed_since_validation(
    uploaded: Upload, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    records = people(37, 3, city_code=HOLDER_CITY)
    submit_and_approve(client, city, province, uploaded(0, records=records)["id"])
    stale = uploaded(
        0,
        records=[
            {**records[0], "occupation": "焊工"},
            records[1],
            {**records[2], "occupation": "电工"},
        ],
    )["id"]
    fresh = uploaded(0, records=[{**records[2], "occupation": "钳工"}])["id"]
    submit_and_approve(client, city, province, fresh)
    call(client, "POST", "submission_submit", city.headers, stale)

    response = call(client, "POST", "submission_approve", province.headers, stale)

    assert response.status_code == 409
    body = response.json()
    masked = records[2]["id_number"][:6] + "*" * 10 + records[2]["id_number"][-2:]
    assert body["code"] == "registry_changed"
    assert body["rows"] == [{"row": 3, "id_number_masked": masked}]
    assert f"第3行（{masked}）" in body["detail"]
    assert records[2]["id_number"] not in response.text
    assert (
        call(client, "GET", "submission_get", province.headers, stale).json()["status"]
        == "pending_review"
    )
    unchanged = talent(db, records[0]["id_number"])
    assert unchanged is not None and unchanged.occupation == records[0]["occupation"]


def test_approval_refuses_a_create_when_the_person_now_exists(
    uploaded: Upload, client: TestClient, city: Login, province: Login
) -> None:
    records = people(38, 1, city_code=HOLDER_CITY)
    first, second = uploaded(0, records=records)["id"], uploaded(0, records=records)["id"]
    submit_and_approve(client, city, province, first)
    call(client, "POST", "submission_submit", city.headers, second)

    response = call(client, "POST", "submission_approve", province.headers, second)

    assert (response.status_code, response.json()["code"]) == (409, "registry_changed")
    assert [row["row"] for row in response.json()["rows"]] == [1]


def test_approval_writes_one_audit_event_with_the_counts(
    uploaded: Upload, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    created = uploaded(39, count=3)
    submit_and_approve(client, city, province, created["id"])

    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.target == f"submission:{created['id']}")
        .order_by(AuditEvent.seq)
    ).all()

    assert [e.action for e in events] == [
        "submission.create",
        "submission.submit",
        "submission.approve",
    ]
    assert '"create":3' in events[-1].detail
    assert events[-1].actor == f"user:{province.username}"


def test_an_approval_stamps_everything_it_files_with_one_time(
    uploaded: Upload, client: TestClient, db: Session, city: Login, province: Login
) -> None:
    """Records, their markers and their versions carry the approval's time, the same for
    every row however long the file (as one act, in one transaction)."""

    def stamps(submission: str) -> set[datetime]:
        sid = uuid.UUID(submission)
        versions = db.scalars(select(TalentVersion).where(TalentVersion.submission_id == sid))
        filed = db.scalars(select(Talent).where(Talent.last_submission_id == sid)).all()
        assert filed
        return {v.occurred_at for v in versions} | {t.updated_at for t in filed}

    started = datetime.now(UTC)
    first = uploaded(41, count=4)["id"]
    submit_and_approve(client, city, province, first)
    db.expire_all()
    created = db.scalars(select(Talent).where(Talent.last_submission_id == uuid.UUID(first))).all()
    markers = db.scalars(select(Marker).where(Marker.talent_id.in_([t.id for t in created])))
    (once,) = stamps(first) | {t.created_at for t in created} | {m.changed_at for m in markers}
    assert started < once < datetime.now(UTC)

    again = uploaded(41, count=4)["id"]  # the same people again: every record re-filed
    submit_and_approve(client, city, province, again)
    db.expire_all()
    (later,) = stamps(again)
    assert later > once
