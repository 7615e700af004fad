"""Irreversible page actions ask first, naming what will happen and to how many; asking
changes nothing; and a refresh after issuing a key issues no second key."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access import partners
from app.access.models import ApiKey
from app.core.audit import SYSTEM, NamedActor
from app.filing.intake import take_in
from app.filing.models import Submission
from app.filing.upload import hashed_upload
from app.registry.markers import local_today
from app.registry.queries import load_talent
from tests.conftest import Login
from tests.pages.conftest import confirm, csrf_of
from tests.pages.seed import csv_of, file_talent, pending_submission, person


def _url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))  # type: ignore[attr-defined]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_approving_a_filing_is_asked_below_the_diff_with_its_counts(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    records = [person(902), person(903), person(904)]
    submission = pending_submission(db, records, city_code="340100")
    db.commit()
    sign_in("province_admin")
    review = _url(client, "page_province_submission", submission_id=str(submission.id))
    page = client.get(review).text
    # The button comes after the diff it applies.
    assert page.index("备案后的变化预览") < page.index("审核通过并备案</button>")

    approve = _url(client, "page_province_approve", submission_id=str(submission.id))
    asked = client.post(approve, data={"csrf_token": csrf_of(page)})
    assert asked.status_code == 200
    words = _text(asked.text)
    assert "确认审核通过并备案合肥市 2026Q3 报送" in words
    assert "全部 3 行：新增 3 人、更新 0 人、退出 0 人、无变化 0 人" in words
    db.expire_all()
    assert db.get(Submission, submission.id).status == "pending_review"  # type: ignore[union-attr]

    done = confirm(client, asked)
    assert "已审核通过" in done.text
    db.expire_all()
    assert db.get(Submission, submission.id).status == "applied"  # type: ignore[union-attr]


def test_a_refresh_after_issuing_a_key_issues_no_second_key(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    partner = partners.create_partner(db, SYSTEM, name="省住建厅系统", scopes=["priority:housing"])
    db.commit()
    sign_in("province_admin")
    detail = _url(client, "page_partner_detail", partner_id=str(partner.id))
    issue = _url(client, "page_partner_issue_key", partner_id=str(partner.id))

    issued = client.post(
        issue,
        data={"csrf_token": csrf_of(client.get(detail).text), "label": "生产环境"},
        follow_redirects=False,
    )
    # Post, then redirect: what the browser shows (and refreshes) is a GET.
    assert issued.status_code == 303
    assert "bk_" not in issued.headers["location"]
    shown = client.get(issued.headers["location"])
    key = re.search(r'id="new-key">(bk_[^<]+)<', shown.text)
    assert key, "the new key is shown once"
    refreshed = client.get(issued.headers["location"])
    assert key.group(1) not in refreshed.text
    assert "只显示过一次" in refreshed.text
    live = select(func.count()).select_from(ApiKey).where(ApiKey.partner_id == partner.id)
    assert db.scalar(live) == 1


def test_a_key_carried_to_the_next_page_is_no_use_to_another_session(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    partner = partners.create_partner(db, SYSTEM, name="省卫健委系统", scopes=["priority:medical"])
    db.commit()
    sign_in("province_admin")
    detail = _url(client, "page_partner_detail", partner_id=str(partner.id))
    issue = _url(client, "page_partner_issue_key", partner_id=str(partner.id))
    issued = client.post(
        issue, data={"csrf_token": csrf_of(client.get(detail).text)}, follow_redirects=False
    )
    carried = issued.cookies.get("bluecard_new_key")
    assert carried and "bk_" not in carried  # encrypted, never the key itself
    sign_in("province_admin")  # another person's session, the same cookie replayed
    client.cookies.set("bluecard_new_key", carried, path=detail)
    assert 'id="new-key"' not in client.get(detail).text


def test_revoking_a_key_is_asked_first(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    partner = partners.create_partner(
        db, SYSTEM, name="省教育厅系统", scopes=["priority:education"]
    )
    key, _secret = partners.issue_api_key(db, SYSTEM, partner, label="测试环境")
    db.commit()
    sign_in("province_admin")
    detail = _url(client, "page_partner_detail", partner_id=str(partner.id))
    revoke = _url(client, "page_partner_revoke_key", partner_id=str(partner.id), key_id=str(key.id))
    asked = client.post(revoke, data={"csrf_token": csrf_of(client.get(detail).text)})
    words = _text(asked.text)
    assert f"确认吊销「省教育厅系统」的密钥 bk_{key.prefix}_…" in words
    assert "有效密钥由 1 个减为 0 个" in words
    db.refresh(key)
    assert key.revoked_at is None
    assert "密钥已吊销" in confirm(client, asked).text
    db.refresh(key)
    assert key.revoked_at is not None


def test_revoking_a_marker_is_asked_first_and_names_the_dependents(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent, record = file_talent(db, seed=911)
    db.commit()
    sign_in("province_admin")
    record_url = _url(client, "page_talent_record", talent_id=str(talent.id))
    revoke = _url(client, "page_talent_marker_action", talent_id=str(talent.id), verb="revoke")
    page = client.get(record_url).text
    asked = client.post(
        revoke, data={"csrf_token": csrf_of(page), "reason": "弄虚作假", "exit_reason": "other"}
    )
    words = _text(asked.text)
    assert f"确认撤销{record['name']}的特殊标识" in words
    assert "立即失去全部优先服务资格" in words and "弄虚作假" in words
    assert load_talent(db, talent.id).marker.status == "active"  # type: ignore[union-attr]
    confirm(client, asked)
    db.expire_all()
    assert load_talent(db, talent.id).marker.status == "revoked"  # type: ignore[union-attr]


def test_a_city_submits_its_file_after_confirming_the_counts(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    operator = NamedActor(actor_id="user:city-seed", actor_role="city_operator")
    upload = hashed_upload(io.BytesIO(csv_of([person(921), person(922)])), "seed.csv")
    submission = take_in(
        db,
        operator,
        upload,
        city_code="340100",
        period="2026Q3",
        idempotency_key=None,
        today=local_today(),
    ).submission
    db.commit()
    sign_in("city_operator", "340100")
    page = client.get(_url(client, "page_city_submission", submission_id=str(submission.id)))
    assert page.text.index("备案后的变化预览") < page.text.index("提交省级审核</button>")
    submit = _url(client, "page_city_submit", submission_id=str(submission.id))
    asked = client.post(submit, data={"csrf_token": csrf_of(page.text)})
    assert "全部 2 行交省级审核：新增 2 人" in _text(asked.text)
    db.expire_all()
    assert db.get(Submission, submission.id).status == "validated"  # type: ignore[union-attr]
    assert "已提交省级审核" in confirm(client, asked).text
    db.expire_all()
    assert db.get(Submission, submission.id).status == "pending_review"  # type: ignore[union-attr]


def test_a_confirmation_for_a_decision_already_taken_says_so(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    submission = pending_submission(db, [person(931)], city_code="340100")
    db.commit()
    sign_in("province_admin")
    review = _url(client, "page_province_submission", submission_id=str(submission.id))
    token = csrf_of(client.get(review).text)
    approve = _url(client, "page_province_approve", submission_id=str(submission.id))
    asked = client.post(approve, data={"csrf_token": token})
    confirm(client, asked)
    again = client.post(approve, data={"csrf_token": token})
    assert again.status_code == 409
    assert "已备案" in again.text and "不能审核通过" in again.text
