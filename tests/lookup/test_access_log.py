"""Who looked a talent up (the PIPL transparency view), and a clerk's own recent lookups."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.lookup.models import LookupJournal, LookupRecord
from app.lookup.partitions import (
    add_months,
    create_partition,
    existing_partitions,
    month_of,
    month_start,
)
from app.registry.identifiers import mask_id_number
from tests.lookup.factories import make_talent, new_id_number
from tests.lookup.test_lookup import ALL_SCOPES, lookup


def access_log(  # type: ignore[no-untyped-def]
    client: TestClient, talent_id: uuid.UUID, headers: dict[str, str], **params: int | str
):
    url = client.app.url_path_for("talent_access_log", talent_id=str(talent_id))  # type: ignore[attr-defined]
    return client.get(url, headers=headers, params=params)


def test_access_log_lists_lookups_of_the_talent_and_dependents_newest_first(  # type: ignore[no-untyped-def]
    client, db: Session, login, partner_login
) -> None:
    person = make_talent(db, city_code="340200", dependents=("child",))
    other = make_talent(db, city_code="340200")
    partner = partner_login(ALL_SCOPES)
    clerk = login("window_clerk")
    lookup(client, partner.headers, id_number=person.id_number, purpose="购房 1")
    lookup(client, clerk.headers, id_number=person.dependents[0].id_number, service="education")
    lookup(client, clerk.headers, id_number=other.id_number, purpose="不相关")
    lookup(client, partner.headers, card_no=person.card_no, service="medical", purpose="就医 2")
    response = access_log(client, person.talent_id, login("province_admin").headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    got = [
        (i["caller_kind"], i["caller_name"], i["service"], i["purpose"], i["outcome"], i["subject"])
        for i in body["items"]
    ]
    assert got == [
        ("partner", partner.name, "medical", "就医 2", "priority", "self"),
        ("user", clerk.username, "education", "购房资格审核 2026-118", "priority", "child"),
        ("partner", partner.name, "housing", "购房 1", "priority", "self"),
    ]
    assert body["items"][0]["occurred_at"].endswith("+08:00")
    assert person.id_number not in response.text


def test_access_log_is_walked_by_cursor_and_new_lookups_shift_nothing(  # type: ignore[no-untyped-def]
    client, db: Session, login, partner_login
) -> None:
    person = make_talent(db)
    headers = partner_login(ALL_SCOPES).headers
    for n in range(5):
        lookup(client, headers, id_number=person.id_number, purpose=f"第{n}次")
    auditor = login("auditor").headers
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, int | str] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = access_log(client, person.talent_id, auditor, **params).json()
        seen += [i["purpose"] for i in body["items"]]
        # A lookup between two pages is newer than the cursor: it neither repeats nor
        # pushes an older one out of the walk.
        lookup(client, headers, id_number=person.id_number, purpose=f"其间{len(seen)}")
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert "total" not in body and len(body["items"]) == 2
    assert seen == ["第4次", "第3次", "第2次", "第1次", "第0次"]


@pytest.mark.parametrize("cursor", ["not base64!", "W10", "WyJ4IiwgInkiXQ", "x" * 600])
def test_a_forged_cursor_is_422(client, db: Session, login, cursor: str) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db)
    response = access_log(client, person.talent_id, login("auditor").headers, cursor=cursor)
    assert response.status_code == 422
    if len(cursor) < 512:
        assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("role", "city", "status"),
    [
        ("province_admin", None, 200),
        ("auditor", None, 200),
        ("city_operator", "340100", 200),
        ("city_operator", "340200", 404),
        ("window_clerk", None, 403),
    ],
)
def test_access_log_respects_the_city_wall(  # type: ignore[no-untyped-def]
    client, db: Session, login, role: str, city: str | None, status: int
) -> None:
    person = make_talent(db, city_code="340100")
    response = access_log(client, person.talent_id, login(role, city).headers)
    assert response.status_code == status


def test_access_log_of_unknown_talent_is_404(client, login) -> None:  # type: ignore[no-untyped-def]
    response = access_log(client, uuid.uuid4(), login("province_admin").headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_partner_has_no_access_log(client, db: Session, partner_login) -> None:  # type: ignore[no-untyped-def]
    person = make_talent(db)
    assert (
        access_log(client, person.talent_id, partner_login(ALL_SCOPES).headers).status_code == 403
    )


def test_clerk_sees_own_lookups_with_masked_number_only_when_priority_was_found(  # type: ignore[no-untyped-def]
    client, db: Session, login
) -> None:
    holder = make_talent(db, dependents=("child",))
    unknown = new_id_number()
    clerk = login("window_clerk")
    someone_else = login("window_clerk")
    lookup(client, clerk.headers, id_number=holder.id_number, purpose="一")
    lookup(client, clerk.headers, id_number=unknown, purpose="二")
    lookup(
        client,
        clerk.headers,
        id_number=holder.dependents[0].id_number,
        service="education",
        purpose="三",
    )
    lookup(client, someone_else.headers, id_number=holder.id_number, purpose="别人的")
    response = client.get(client.app.url_path_for("lookup_list_mine"), headers=clerk.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    got = [(i["purpose"], i["outcome"], i["id_number_masked"]) for i in body["items"]]
    assert got == [
        ("三", "priority", mask_id_number(holder.dependents[0].id_number)),
        ("二", "no_priority", None),
        ("一", "priority", mask_id_number(holder.id_number)),
    ]
    for number in (holder.id_number, unknown):
        assert number not in response.text


def test_only_window_clerks_have_a_lookups_mine(client, login, partner_login) -> None:  # type: ignore[no-untyped-def]
    url = client.app.url_path_for("lookup_list_mine")
    assert client.get(url, headers=partner_login(ALL_SCOPES).headers).status_code == 403
    assert client.get(url, headers=login("province_admin").headers).status_code == 403


def test_a_clerks_lookups_are_paged_by_cursor(client, db: Session, login) -> None:  # type: ignore[no-untyped-def]
    holder = make_talent(db)
    clerk = login("window_clerk").headers
    for n in range(3):
        lookup(client, clerk, id_number=holder.id_number, purpose=f"第{n}次")
    url = client.app.url_path_for("lookup_list_mine")
    first = client.get(url, headers=clerk, params={"limit": 2}).json()
    rest = client.get(url, headers=clerk, params={"cursor": first["next_cursor"]}).json()
    purposes = [i["purpose"] for i in first["items"] + rest["items"]]
    assert purposes == ["第2次", "第1次", "第0次"] and rest["next_cursor"] is None
    assert client.get(url, headers=clerk, params={"limit": 10**20}).status_code == 422


def test_batch_lookups_are_in_the_access_log_at_once(  # type: ignore[no-untyped-def]
    client, db: Session, login, partner_login
) -> None:
    """A batch is recorded in the lookup journal; the log reads the journal's pending
    entries with the records, so it never lags behind the answers, and writes nothing."""
    person = make_talent(db, city_code="340200", dependents=("child",))
    partner = partner_login(["priority:education"])
    numbers = [person.dependents[0].id_number, new_id_number(), person.id_number]
    body = {"service": "education", "purpose": "入学资格批量核验", "id_numbers": numbers}
    url = client.app.url_path_for("priority_lookups")  # type: ignore[attr-defined]
    assert client.post(url, json=body, headers=partner.headers).status_code == 200
    admin = login("province_admin").headers
    before = journal_and_records(db)
    assert before[0] == 1  # the batch is pending

    log = access_log(client, person.talent_id, admin).json()
    assert journal_and_records(db) == before  # the read expanded nothing
    assert len(log["items"]) == 2
    assert sorted((i["subject"], i["outcome"], i["purpose"]) for i in log["items"]) == [
        ("child", "priority", "入学资格批量核验"),
        ("self", "priority", "入学资格批量核验"),
    ]


def journal_and_records(db: Session) -> tuple[int, int]:
    return (
        int(db.scalar(select(func.count()).select_from(LookupJournal)) or 0),
        int(db.scalar(select(func.count()).select_from(LookupRecord)) or 0),
    )


def test_a_clerks_list_writes_nothing_while_batches_are_pending(  # type: ignore[no-untyped-def]
    client, db: Session, login, partner_login
) -> None:
    """The counter page and `lookups/mine` read beside a pending batch: it stays pending."""
    clerk = login("window_clerk")
    batch = {"service": "housing", "purpose": "合作方批量", "id_numbers": [new_id_number()] * 2}
    url = client.app.url_path_for("priority_lookups")  # type: ignore[attr-defined]
    assert (
        client.post(url, json=batch, headers=partner_login(ALL_SCOPES).headers).status_code == 200
    )
    lookup(client, clerk.headers, id_number=new_id_number(), purpose="窗口")
    before = journal_and_records(db)
    assert before[0] == 1
    response = client.get(client.app.url_path_for("lookup_list_mine"), headers=clerk.headers)
    assert [i["purpose"] for i in response.json()["items"]] == ["窗口"]
    assert journal_and_records(db) == before


def test_access_log_reads_across_months(client, db: Session, login, partner_login) -> None:  # type: ignore[no-untyped-def]
    """This month's lookups, last month's (their own partition on PostgreSQL) and older
    ones (the default partition there), in one page, newest first."""
    person = make_talent(db)
    now = datetime.now(UTC)
    last_month = add_months(month_of(now), -1)
    bind = db.connection()
    if bind.dialect.name == "postgresql" and last_month not in existing_partitions(bind):
        create_partition(bind, last_month)  # rolled back with the test
    for month, purpose in ((last_month, "上月"), (add_months(last_month, -2), "三个月前")):
        db.add(
            LookupRecord(
                occurred_at=month_start(month) + timedelta(days=3),
                caller_kind="partner",
                caller_id=uuid.uuid4(),
                caller_name="早先的系统",
                service="housing",
                purpose=purpose,
                query_kind="id_number",
                subject_hash=get_keyring().blind_index(person.id_number),
                outcome="priority",
                basis="holder",
            )
        )
    db.flush()
    lookup(client, partner_login(ALL_SCOPES).headers, id_number=person.id_number, purpose="本月")
    body = access_log(client, person.talent_id, login("auditor").headers).json()
    assert [i["purpose"] for i in body["items"]] == ["本月", "上月", "三个月前"]
    assert body["next_cursor"] is None
    if bind.dialect.name == "postgresql":
        where = LookupRecord.subject_hash == get_keyring().blind_index(person.id_number)
        homes = db.scalars(select(literal_column("tableoid::regclass::text")).where(where)).all()
        assert len(set(homes)) == 3


def test_a_later_page_reaches_back_past_the_recent_months(  # type: ignore[no-untyped-def]
    client, db: Session, login, partner_login
) -> None:
    person = make_talent(db)
    old = month_start(add_months(month_of(datetime.now(UTC)), -5))
    for n in range(3):
        db.add(
            LookupRecord(
                occurred_at=old + timedelta(hours=n),
                caller_kind="partner",
                caller_id=uuid.uuid4(),
                caller_name="早先的系统",
                service="housing",
                purpose=f"早先{n}",
                query_kind="id_number",
                subject_hash=get_keyring().blind_index(person.id_number),
                outcome="priority",
            )
        )
    db.flush()
    headers = partner_login(ALL_SCOPES).headers
    lookup(client, headers, id_number=person.id_number, purpose="本月")
    auditor = login("auditor").headers
    first = access_log(client, person.talent_id, auditor, limit=2).json()
    assert [i["purpose"] for i in first["items"]] == ["本月", "早先2"]
    page = access_log(client, person.talent_id, auditor, limit=2, cursor=first["next_cursor"])
    assert [i["purpose"] for i in page.json()["items"]] == ["早先1", "早先0"]
