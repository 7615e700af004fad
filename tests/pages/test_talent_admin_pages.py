"""A talent's record, corrected, retired and granted a marker by page (If-Match from the
shown version), and its printable marker certificate with the QR code."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.lookup.models import LookupRecord
from app.public.service import qr_png, verification_url
from app.registry.markers import local_today
from app.registry.models import Talent
from tests.conftest import Login
from tests.duties_factories import HEFEI, WUHU, make_talent
from tests.duties_pages import csrf_of


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))  # type: ignore[attr-defined]


def _version_of(html: str, action: str) -> str:
    form = re.search(rf'action="{re.escape(action)}".*?name="version" value="(\d+)"', html, re.S)
    assert form, action
    return form.group(1)


def _fresh(db: Session, talent: Talent) -> Talent:
    db.expire_all()
    found = db.get(Talent, talent.id)
    assert found is not None
    return found


def _correction(talent: Talent, **changes: str) -> dict[str, str]:
    return {
        "name": talent.name,
        "employer": talent.employer,
        "employer_uscc": talent.employer_uscc or "",
        "occupation": talent.occupation,
        "skill_level": talent.skill_level,
        "card_no": "",
        "frontline_since": "",
        **changes,
    }


def test_a_correction_is_saved_and_a_stale_form_is_refused(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent = make_talent(db)
    sign_in("province_admin")
    record = url(client, "page_talent_record", talent_id=str(talent.id))
    action = url(client, "page_talent_update", talent_id=str(talent.id))
    first = client.get(record).text
    second = client.get(record).text  # a second window, opened at the same version

    saved = client.post(
        action,
        data={
            **_correction(talent, occupation="焊工"),
            "version": _version_of(first, action),
            "csrf_token": csrf_of(first),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "记录已更正" in client.get(saved.headers["location"]).text
    assert _fresh(db, talent).occupation == "焊工"

    stale = client.post(
        action,
        data={
            **_correction(talent, occupation="车工"),
            "version": _version_of(second, action),
            "csrf_token": csrf_of(second),
        },
    )
    assert stale.status_code == 412
    assert "已被他人修改" in stale.text
    assert _fresh(db, talent).occupation == "焊工"


def test_a_correction_with_an_empty_name_is_refused_in_chinese(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent = make_talent(db)
    sign_in("province_admin")
    record = url(client, "page_talent_record", talent_id=str(talent.id))
    action = url(client, "page_talent_update", talent_id=str(talent.id))
    html = client.get(record).text
    refused = client.post(
        action,
        data={
            **_correction(talent, name=" "),
            "version": _version_of(html, action),
            "csrf_token": csrf_of(html),
        },
    )
    assert refused.status_code == 422
    assert "姓名：不能为空" in refused.text


def test_a_retirement_takes_the_person_off_and_withdraws_the_marker(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent = make_talent(db)
    admin = sign_in("province_admin")
    record = url(client, "page_talent_record", talent_id=str(talent.id))
    action = url(client, "page_talent_retire", talent_id=str(talent.id))
    html = client.get(record).text
    retired = client.post(
        action,
        data={"reason": "退休", "version": _version_of(html, action), "csrf_token": csrf_of(html)},
        follow_redirects=False,
    )
    assert retired.status_code == 303
    page = client.get(retired.headers["location"]).text
    assert "该人员已退出人才库" in page and "退出人才库</summary>" not in page
    stored = _fresh(db, talent)
    assert (stored.status, stored.retired_reason) == ("retired", "退休")
    assert stored.marker is not None and stored.marker.status == "revoked"
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.target == f"talent:{talent.id}")
    ).all()
    assert "talent.retire" in actions
    assert admin.role == "province_admin"


def test_the_api_retires_only_with_the_current_version(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    talent = make_talent(db)
    admin = login("province_admin")
    action = url(client, "talent_retire", talent_id=str(talent.id))
    body = {"reason": "调离本省"}
    assert client.post(action, json=body, headers=admin.headers).status_code == 428
    stale = {**admin.headers, "If-Match": f'"{talent.version + 5}"'}
    assert client.post(action, json=body, headers=stale).status_code == 412
    current = {**admin.headers, "If-Match": f'"{talent.version}"'}
    answer = client.post(action, json=body, headers=current)
    assert answer.status_code == 200 and answer.json()["status"] == "retired"
    assert answer.headers["ETag"] == f'"{_fresh(db, talent).version}"'
    again = {**admin.headers, "If-Match": answer.headers["ETag"]}
    assert client.post(action, json=body, headers=again).status_code == 409


def test_an_expired_marker_is_granted_again_by_hand_with_a_reason(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent = make_talent(db, marker="expired")
    sign_in("province_admin")
    record = url(client, "page_talent_record", talent_id=str(talent.id))
    html = client.get(record).text
    assert "人工授予特殊标识" in html
    action = url(client, "page_talent_marker_action", talent_id=str(talent.id), verb="grant")
    granted = client.post(
        action,
        data={"reason": "经复核，继续符合条件", "csrf_token": csrf_of(html)},
        follow_redirects=False,
    )
    assert granted.status_code == 303
    assert "特殊标识已授予" in client.get(granted.headers["location"]).text
    marker = _fresh(db, talent).marker
    assert marker is not None and marker.status == "active"
    assert marker.valid_until > local_today() and marker.reason == "经复核，继续符合条件"
    assert marker.change_source == "admin"


def test_a_grant_of_an_active_marker_is_refused_by_the_api(
    client: TestClient, login: Callable[..., Login], db: Session
) -> None:
    active = make_talent(db)
    none = make_talent(db, marker=None)
    admin = login("province_admin")
    body = {"reason": "人工授予"}
    refused = client.post(
        url(client, "marker_grant", talent_id=str(active.id)), json=body, headers=admin.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "marker_already_active"
    granted = client.post(
        url(client, "marker_grant", talent_id=str(none.id)), json=body, headers=admin.headers
    )
    assert granted.status_code == 200
    assert granted.json()["marker"]["status"] == "active"


def test_the_certificate_carries_the_verification_qr_code_and_the_read_is_recorded(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    talent = make_talent(db, city_code=HEFEI)
    assert talent.marker is not None
    sign_in("city_operator", HEFEI)
    page = client.get(url(client, "page_talent_certificate", talent_id=str(talent.id)))
    assert page.status_code == 200
    html = page.text
    assert "高技能领军人才特殊标识证明" in html and talent.marker.code in html
    link = verification_url(talent.marker.code, served_at=str(client.base_url))
    assert link.startswith("http://testserver/verify/")
    assert link in html
    image = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert image and base64.b64decode(image.group(1)) == qr_png(link, scale=6)
    reads = db.scalars(
        select(LookupRecord.purpose).where(LookupRecord.subject_hash == talent.id_hash)
    ).all()
    assert "打印特殊标识证明" in reads


def test_no_certificate_for_a_suspended_marker_or_another_city(
    client: TestClient, sign_in: Callable[..., Login], db: Session
) -> None:
    suspended = make_talent(db, marker="suspended")
    elsewhere = make_talent(db, city_code=WUHU)
    sign_in("city_operator", HEFEI)
    refused = client.get(url(client, "page_talent_certificate", talent_id=str(suspended.id)))
    assert refused.status_code == 409 and "只有有效的特殊标识" in refused.text
    walled = client.get(url(client, "page_talent_certificate", talent_id=str(elsewhere.id)))
    assert walled.status_code == 404
