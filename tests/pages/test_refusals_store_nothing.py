"""A refused page action stores nothing: every page form, refused (invalid, forbidden or
conflicting input), leaves every table and the audit chain as they were.

Each case signs a person in, seeds what the form acts on and says what to post; the test
counts the rows of every table before and after. A last test checks that the cases cover
every POST route of the pages, so a new form cannot be left out.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access import partners
from app.access.auth import Principal
from app.access.codes import Service
from app.assistance import service as assistance
from app.assistance.schemas import CaseCreate
from app.core.audit import SYSTEM, AuditHead, NamedActor
from app.core.db import Base
from app.filing import review
from app.filing.intake import take_in
from app.filing.upload import hashed_upload
from app.lookup.models import LookupRecord
from app.registry.markers import local_today
from app.studios import service as studios
from app.studios.schemas import ApplicationCreate
from tests.duties_factories import HEFEI, WUHU, make_talent, valid_uscc
from tests.duties_pages import csrf_of, sign_in
from tests.pages.seed import csv_of, pending_submission, person, unknown_id_number

# Forms that are not refused by storing nothing: a failed login is counted and audited,
# exactly as by the API (see `test_a_refused_page_login_stores_what_the_api_stores`).
ANSWERED_NOT_RAISED = {"page_login_submit"}


@dataclass(frozen=True)
class Refusal:
    page: str  # the page holding the form, for its CSRF token
    action: str
    data: dict[str, Any]
    status: int
    files: dict[str, Any] = field(default_factory=dict)


Case = Callable[[TestClient, Session, Callable[..., Any]], Refusal]


def url(client: TestClient, name: str, **params: str) -> str:
    return str(client.app.url_path_for(name, **params))


def stored(db: Session) -> dict[str, Any]:
    """The row count of every table, and the audit chain's head. Reads of a person are left
    out: a form shown again shows its person again, and that view is recorded like any."""
    db.expire_all()
    counts: dict[str, Any] = {
        table.name: db.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
    counts["lookup_record"] = db.scalar(
        select(func.count()).select_from(LookupRecord).where(LookupRecord.service.is_not(None))
    )
    head = db.scalar(select(AuditHead))
    counts["audit chain"] = (head.seq, head.hash) if head else None
    return counts


def post_refused(client: TestClient, db: Session, refusal: Refusal) -> Any:
    page = client.get(refusal.page)
    assert page.status_code == 200, page.text
    before = stored(db)
    response = client.post(
        refusal.action,
        data={**refusal.data, "csrf_token": csrf_of(page.text)},
        files=refusal.files or None,
        follow_redirects=False,
    )
    assert response.status_code == refusal.status, response.text
    assert stored(db) == before
    return response


def as_principal(role: str, city_code: str | None) -> Principal:
    return Principal(
        kind="user", id=uuid.uuid4(), name=f"seed-{role}", role=role, city_code=city_code
    )


# --- one refused input per form ------------------------------------------------------------


def counter_lookup_without_purpose(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "window_clerk")
    data = {"query": unknown_id_number(801), "service": next(iter(Service)).value, "purpose": ""}
    return Refusal(url(client, "page_counter_home"), url(client, "page_counter_lookup"), data, 422)


def counter_access_log_of_a_mistyped_number(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "window_clerk")
    data = {"person_id_number": unknown_id_number(808)[:-1]}
    return Refusal(
        url(client, "page_counter_home"), url(client, "page_counter_access_log"), data, 422
    )


def city_upload_of_a_header_only_csv(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "city_operator", HEFEI)
    return Refusal(
        url(client, "page_city_home"),
        url(client, "page_city_upload"),
        {"period": "2026Q4", "idempotency_key": "header-only"},
        422,
        files={"file": ("合肥.csv", csv_of([]), "text/csv")},
    )


def city_submit_of_an_invalid_submission(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "city_operator", HEFEI)
    broken = dict(person(802), frontline_since="二〇〇四")
    upload = hashed_upload(io.BytesIO(csv_of([broken])), "broken.csv")
    actor = NamedActor(actor_id="user:city-seed", actor_role="city_operator")
    intake = take_in(
        db,
        actor,
        upload,
        city_code=HEFEI,
        period="2026Q4",
        idempotency_key=None,
        today=local_today(),
    )
    db.commit()
    sid = str(intake.submission.id)
    return Refusal(
        url(client, "page_city_submission", submission_id=sid),
        url(client, "page_city_submit", submission_id=sid),
        {},
        409,
    )


def province_approve_of_a_stale_submission(client: TestClient, db: Session, login: Any) -> Refusal:
    record = person(803)
    stale = pending_submission(db, [record], city_code=HEFEI)
    later = pending_submission(db, [record], city_code=HEFEI, period="2026Q2")
    admin = as_principal("province_admin", None)
    review.approve(db, admin, later, today=local_today())  # the registry moves meanwhile
    db.commit()
    sign_in(client, db, login, "province_admin")
    sid = str(stale.id)
    return Refusal(
        url(client, "page_province_submission", submission_id=sid),
        url(client, "page_province_approve", submission_id=sid),
        {"confirmed": "true"},  # confirmed: the registry moved since the file was checked
        409,
    )


def province_reject_without_reason(client: TestClient, db: Session, login: Any) -> Refusal:
    submission = pending_submission(db, [person(804)], city_code=HEFEI)
    db.commit()
    sign_in(client, db, login, "province_admin")
    sid = str(submission.id)
    return Refusal(
        url(client, "page_province_submission", submission_id=sid),
        url(client, "page_province_reject", submission_id=sid),
        {"reason": "  "},
        422,
    )


def partner_create_with_a_taken_name(client: TestClient, db: Session, login: Any) -> Refusal:
    partners.create_partner(db, SYSTEM, name="住建厅系统", scopes=["priority:housing"])
    db.commit()
    sign_in(client, db, login, "province_admin")
    data = {"name": "住建厅系统", "agency": "省住建厅", "scopes": ["priority:housing"]}
    return Refusal(url(client, "page_partner_list"), url(client, "page_partner_create"), data, 409)


def partner_key_with_a_too_long_label(client: TestClient, db: Session, login: Any) -> Refusal:
    partner = partners.create_partner(db, SYSTEM, name="人社厅系统", scopes=["priority:housing"])
    db.commit()
    sign_in(client, db, login, "province_admin")
    pid = str(partner.id)
    return Refusal(
        url(client, "page_partner_detail", partner_id=pid),
        url(client, "page_partner_issue_key", partner_id=pid),
        {"label": "长" * 150},
        422,
    )


def partner_revoke_of_another_partners_key(client: TestClient, db: Session, login: Any) -> Refusal:
    one = partners.create_partner(db, SYSTEM, name="教育厅系统", scopes=["priority:housing"])
    other = partners.create_partner(db, SYSTEM, name="卫健委系统", scopes=["priority:housing"])
    key, _secret = partners.issue_api_key(db, SYSTEM, other)
    db.commit()
    sign_in(client, db, login, "province_admin")
    return Refusal(
        url(client, "page_partner_detail", partner_id=str(one.id)),
        url(client, "page_partner_revoke_key", partner_id=str(one.id), key_id=str(key.id)),
        {},
        404,
    )


def assistance_find_of_a_mistyped_number(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "city_operator", HEFEI)
    mistyped = unknown_id_number(805)[:-1]
    return Refusal(
        url(client, "page_assistance_new"),
        url(client, "page_assistance_find"),
        {"q": mistyped},
        422,
    )


def assistance_open_for_another_city(client: TestClient, db: Session, login: Any) -> Refusal:
    talent = make_talent(db, city_code=WUHU)
    sign_in(client, db, login, "city_operator", HEFEI)
    data = {"talent_id": str(talent.id), "situation": "企业停产", "measures": "转岗"}
    return Refusal(
        url(client, "page_assistance_new"), url(client, "page_assistance_open"), data, 404
    )


def assistance_close_in_the_future(client: TestClient, db: Session, login: Any) -> Refusal:
    talent = make_talent(db)
    sign_in(client, db, login, "city_operator", HEFEI)
    operator = as_principal("city_operator", HEFEI)
    data = CaseCreate(talent_id=talent.id, situation="企业停产", measures="转岗")
    case = assistance.open_case(db, operator, data, today=local_today())
    db.commit()
    cid = str(case.id)
    tomorrow = local_today() + timedelta(days=1)
    return Refusal(
        url(client, "page_assistance_detail", case_id=cid),
        url(client, "page_assistance_action", case_id=cid, verb="close"),
        {"result": "已稳定就业", "closed_on": tomorrow.isoformat()},
        422,
    )


def studio_find_of_a_mistyped_number(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "city_operator", HEFEI)
    mistyped = unknown_id_number(806)[:-1]
    return Refusal(
        url(client, "page_studio_new"), url(client, "page_studio_find"), {"q": mistyped}, 422
    )


def studio_submit_without_an_active_marker(client: TestClient, db: Session, login: Any) -> Refusal:
    talent = make_talent(db, marker="suspended")
    sign_in(client, db, login, "city_operator", HEFEI)
    data = {
        "talent_id": str(talent.id),
        "project_type": "craftsman_innovation_studio",
        "title": "焊接创新工作室",
        "host_employer": talent.employer,
        "host_uscc": valid_uscc(),
        "plan_summary": "技术攻关",
        "attachments": "申报书",
    }
    page = f"{url(client, 'page_studio_new')}?talent_id={talent.id}"
    return Refusal(page, url(client, "page_studio_submit"), data, 422)


def studio_approve_before_acceptance(client: TestClient, db: Session, login: Any) -> Refusal:
    talent = make_talent(db)
    application = studios.apply(
        db,
        as_principal("city_operator", HEFEI),
        ApplicationCreate(
            talent_id=talent.id,
            project_type="craftsman_innovation_studio",
            title="焊接创新工作室",
            host_employer=talent.employer,
            host_uscc=valid_uscc(),
            plan_summary="技术攻关",
            attachments=[],
        ),
        today=local_today(),
    )
    db.commit()
    sign_in(client, db, login, "province_admin")
    aid = str(application.id)
    return Refusal(
        url(client, "page_studio_detail", application_id=aid),
        url(client, "page_studio_action", application_id=aid, verb="approve"),
        {"batch_year": str(local_today().year)},
        409,
    )


def task_report_over_a_hundred_percent(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "province_admin")
    data = {
        "report_date": local_today().isoformat(),
        "reporting_unit": "省人社厅",
        "text": "已完成",
        "status": "in_progress",
        "percent": "150",
    }
    return Refusal(
        url(client, "page_task_detail", number="1"),
        url(client, "page_task_report_submit", number="1"),
        data,
        422,
    )


def marker_reinstated_while_active(client: TestClient, db: Session, login: Any) -> Refusal:
    talent = make_talent(db)
    sign_in(client, db, login, "province_admin")
    tid = str(talent.id)
    return Refusal(
        url(client, "page_talent_record", talent_id=tid),
        url(client, "page_talent_marker_action", talent_id=tid, verb="reinstate"),
        {"reason": "复核"},
        409,
    )


def partner_update_without_a_service(client: TestClient, db: Session, login: Any) -> Refusal:
    partner = partners.create_partner(db, SYSTEM, name="公安厅系统", scopes=["priority:hukou"])
    db.commit()
    sign_in(client, db, login, "province_admin")
    pid = str(partner.id)
    return Refusal(
        url(client, "page_partner_detail", partner_id=pid),
        url(client, "page_partner_update", partner_id=pid),
        {"name": "公安厅户籍系统", "agency": "省公安厅"},
        422,
    )


def partner_state_of_an_unknown_partner(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "province_admin")
    return Refusal(
        url(client, "page_partner_list"),
        url(client, "page_partner_state", partner_id=str(uuid.uuid4())),
        {"active": "false"},
        404,
    )


def account_create_with_a_weak_password(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "province_admin")
    data = {"display_name": "赵敏", "username": "zhaomin", "role": "auditor", "password": "123"}
    return Refusal(url(client, "page_account_list"), url(client, "page_account_create"), data, 422)


def _account(client: TestClient, db: Session, login: Any) -> tuple[str, str]:
    """A window clerk's account page, seen by a province admin: (page, user id)."""
    from app.access import service

    clerk = login("window_clerk")
    sign_in(client, db, login, "province_admin")
    uid = str(service.get_user_by_username(db, clerk.username).id)
    return url(client, "page_account_detail", user_id=uid), uid


def account_update_of_an_operator_without_a_city(
    client: TestClient, db: Session, login: Any
) -> Refusal:
    page, uid = _account(client, db, login)
    data = {"display_name": "张三", "role": "city_operator", "city_code": ""}
    return Refusal(page, url(client, "page_account_update", user_id=uid), data, 422)


def account_password_too_weak(client: TestClient, db: Session, login: Any) -> Refusal:
    page, uid = _account(client, db, login)
    return Refusal(page, url(client, "page_account_password", user_id=uid), {"password": "1"}, 422)


def account_unlock_of_an_unknown_user(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "province_admin")
    return Refusal(
        url(client, "page_account_list"),
        url(client, "page_account_unlock", user_id=str(uuid.uuid4())),
        {},
        404,
    )


def account_state_not_a_yes_or_no(client: TestClient, db: Session, login: Any) -> Refusal:
    page, uid = _account(client, db, login)
    return Refusal(page, url(client, "page_account_state", user_id=uid), {"active": "maybe"}, 422)


def talent_update_from_a_stale_form(client: TestClient, db: Session, login: Any) -> Refusal:
    talent = make_talent(db)
    sign_in(client, db, login, "province_admin")
    tid = str(talent.id)
    data = {
        "version": str(talent.version - 1),
        "name": talent.name,
        "employer": talent.employer,
        "occupation": "焊工",
        "skill_level": talent.skill_level,
    }
    return Refusal(
        url(client, "page_talent_record", talent_id=tid),
        url(client, "page_talent_update", talent_id=tid),
        data,
        412,
    )


def talent_retire_without_a_reason(client: TestClient, db: Session, login: Any) -> Refusal:
    talent = make_talent(db)
    sign_in(client, db, login, "province_admin")
    tid = str(talent.id)
    return Refusal(
        url(client, "page_talent_record", talent_id=tid),
        url(client, "page_talent_retire", talent_id=tid),
        {"version": str(talent.version), "reason": " "},
        422,
    )


def city_withdraw_of_a_submitted_upload(client: TestClient, db: Session, login: Any) -> Refusal:
    submission = pending_submission(db, [person(810)], city_code=HEFEI)
    db.commit()
    sign_in(client, db, login, "city_operator", HEFEI)
    sid = str(submission.id)
    return Refusal(
        url(client, "page_city_submission", submission_id=sid),
        url(client, "page_city_withdraw", submission_id=sid),
        {},
        409,
    )


def reference_code_added_twice(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "province_admin")
    data = {"code": "retirement", "name_zh": "退休（重复）", "name_en": "Again"}
    return Refusal(
        url(client, "page_reference"),
        url(client, "page_reference_add", kind="exit-reasons"),
        data,
        409,
    )


def talent_search_of_a_mistyped_number(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "province_admin")
    mistyped = unknown_id_number(809)[:-1]
    return Refusal(
        url(client, "page_talent_list"),
        url(client, "page_talent_search"),
        {"id_number": mistyped},
        422,
    )


def reference_code_renamed_to_a_taken_label(client: TestClient, db: Session, login: Any) -> Refusal:
    sign_in(client, db, login, "province_admin")
    return Refusal(
        url(client, "page_reference"),
        url(client, "page_reference_change", kind="exit-reasons", code="death"),
        {"name_zh": "退休", "active": "false"},
        422,
    )


def logout_by_an_auditor_who_is_forbidden_nothing(
    client: TestClient, db: Session, login: Any
) -> Refusal:
    """Logging out refuses only a forged form: no CSRF token, a 403, the session kept."""
    sign_in(client, db, login, "auditor")
    return Refusal(url(client, "page_audit_home"), url(client, "page_logout"), {}, 0)


CASES: dict[str, Case] = {
    "page_counter_lookup": counter_lookup_without_purpose,
    "page_counter_access_log": counter_access_log_of_a_mistyped_number,
    "page_city_upload": city_upload_of_a_header_only_csv,
    "page_city_submit": city_submit_of_an_invalid_submission,
    "page_province_approve": province_approve_of_a_stale_submission,
    "page_province_reject": province_reject_without_reason,
    "page_partner_create": partner_create_with_a_taken_name,
    "page_partner_issue_key": partner_key_with_a_too_long_label,
    "page_partner_revoke_key": partner_revoke_of_another_partners_key,
    "page_assistance_find": assistance_find_of_a_mistyped_number,
    "page_assistance_open": assistance_open_for_another_city,
    "page_assistance_action": assistance_close_in_the_future,
    "page_studio_find": studio_find_of_a_mistyped_number,
    "page_studio_submit": studio_submit_without_an_active_marker,
    "page_studio_action": studio_approve_before_acceptance,
    "page_task_report_submit": task_report_over_a_hundred_percent,
    "page_talent_marker_action": marker_reinstated_while_active,
    "page_partner_update": partner_update_without_a_service,
    "page_partner_state": partner_state_of_an_unknown_partner,
    "page_account_create": account_create_with_a_weak_password,
    "page_account_update": account_update_of_an_operator_without_a_city,
    "page_account_password": account_password_too_weak,
    "page_account_unlock": account_unlock_of_an_unknown_user,
    "page_account_state": account_state_not_a_yes_or_no,
    "page_talent_update": talent_update_from_a_stale_form,
    "page_talent_retire": talent_retire_without_a_reason,
    "page_talent_search": talent_search_of_a_mistyped_number,
    "page_city_withdraw": city_withdraw_of_a_submitted_upload,
    "page_reference_add": reference_code_added_twice,
    "page_reference_change": reference_code_renamed_to_a_taken_label,
}
FORGED_ONLY = {"page_logout": logout_by_an_auditor_who_is_forbidden_nothing}


@pytest.mark.parametrize("route", sorted(CASES))
def test_a_refused_page_action_stores_nothing(
    route: str, client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    post_refused(client, db, CASES[route](client, db, login))


@pytest.mark.parametrize("route", sorted({**CASES, **FORGED_ONLY}))
def test_a_forged_page_action_stores_nothing(
    route: str, client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    refusal = {**CASES, **FORGED_ONLY}[route](client, db, login)
    before = stored(db)
    response = client.post(
        refusal.action, data=refusal.data, files=refusal.files or None, follow_redirects=False
    )
    assert response.status_code == 403
    assert stored(db) == before


def test_the_cases_cover_every_page_form(client: TestClient) -> None:
    posts = {
        route.name
        for route in iter_route_contexts(client.app.routes)
        if getattr(route.endpoint, "__module__", "").startswith("app.pages.")
        and "POST" in (route.methods or set())
    }
    assert posts == set(CASES) | set(FORGED_ONLY) | ANSWERED_NOT_RAISED


# --- the reproductions ---------------------------------------------------------------------


def test_a_header_only_csv_through_the_city_page_stores_nothing_and_its_key_stays_free(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    operator = sign_in(client, db, login, "city_operator", HEFEI)
    header_only = csv_of([])
    api = client.post(
        url(client, "submission_create"),
        headers={**operator.headers, "Idempotency-Key": "api-header-only"},
        data={"period": "2026Q4"},
        files={"file": ("合肥.csv", header_only, "text/csv")},
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["code"] == "empty_file"
    refused = post_refused(client, db, CASES["page_city_upload"](client, db, login))
    assert "文件中没有数据行" in refused.text

    filed = client.post(
        url(client, "page_city_upload"),
        data={
            "period": "2026Q4",
            "idempotency_key": "header-only",
            "csrf_token": csrf_of(client.get(url(client, "page_city_home")).text),
        },
        files={"file": ("合肥.csv", csv_of([person(807)]), "text/csv")},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    detail = client.get(filed.headers["location"])
    assert "校验通过" in detail.text


def test_a_refused_counter_lookup_never_shows_the_typed_number_back(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    refusal = counter_lookup_without_purpose(client, db, login)
    response = post_refused(client, db, refusal)
    assert "查询事由" in response.text
    assert refusal.data["query"] not in response.text


def test_a_refused_form_shows_the_input_again_but_never_an_id_number(
    client: TestClient, db: Session, login: Callable[..., Any]
) -> None:
    refusal = partner_create_with_a_taken_name(client, db, login)
    number = unknown_id_number(808)
    spaced = f"{number[:6]} {number[6:14]}-{number[14:]}".translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    page = client.get(refusal.page)
    before = stored(db)
    data = {**refusal.data, "agency": spaced, "csrf_token": csrf_of(page.text)}
    response = client.post(refusal.action, data=data)
    # Refused as a taken name, or for the ID number itself where text fields check for one.
    assert response.status_code in (409, 422)
    assert stored(db) == before
    assert 'value="住建厅系统"' in response.text  # the rest of the input is kept
    assert spaced not in response.text
    assert number[6:14] not in response.text.translate(
        str.maketrans("０１２３４５６７８９", "0123456789")
    )
