"""The registry's admin API: list, detail, history, corrections and marker actions.

Province admins and auditors read every city; a city operator reads their own city only
(another city's record is 404). Only a province admin changes records and markers.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy.orm import Session

from app.access.auth import ProvinceAdmin, RegistryReader
from app.core.db import SessionDep
from app.core.errors import InvalidInput, field_error
from app.core.keys import get_keyring
from app.core.openapi_doc import errors
from app.core.reference import active_codes, check_code
from app.core.text_fields import FreeText
from app.lookup import reads
from app.registry import as_of, editing, markers, outputs, queries, service
from app.registry.deps import ValidTalent
from app.registry.history import versions_of
from app.registry.markers import local_today
from app.registry.models import Talent
from app.registry.schemas import (
    MarkerAction,
    MarkerStateOut,
    MarkerStatusFilter,
    Retirement,
    RevokeAction,
    TalentDetail,
    TalentEdit,
    TalentHistory,
    TalentPage,
    TalentStatus,
    TalentStatusOn,
)

router = APIRouter(prefix="/api/v1/talents", tags=["registry"])

_ETAG_HEADER = {"ETag": {"description": "The record's version; send it back in If-Match"}}


@router.get("", summary="List talents, filtered, with cursor pagination")
def talent_list(
    caller: RegistryReader,
    session: SessionDep,
    city_code: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    category: Annotated[str | None, Query(max_length=40, description="A category code")] = None,
    marker_status: MarkerStatusFilter | None = None,
    name: Annotated[FreeText | None, Query(min_length=1, max_length=50)] = None,
    status: TalentStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TalentPage:
    """Lists talents, filtered by city, category, marker status, name or record status, with
    cursor pagination. Province admins and auditors see every city, a city operator their
    own; records nothing."""
    if category is not None:
        check_code(session.connection(), "categories", category, field="category", label="人才类别")
    today = local_today()
    page = queries.list_talents(
        session,
        caller,
        queries.TalentFilters(city_code, category, marker_status, name, status),
        cursor=cursor,
        limit=limit,
        today=today,
    )
    keyring = get_keyring()
    return TalentPage(
        items=[outputs.talent_item(t, keyring, today) for t in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{talent_id}",
    summary="A talent's record with the eligibility explanation",
    responses={200: {"headers": _ETAG_HEADER}},
)
def talent_get(
    caller: RegistryReader, talent: ValidTalent, session: SessionDep, response: Response
) -> TalentDetail:
    """Reads a talent's record with the eligibility explanation and an ETag for corrections.
    Province admins, auditors and the talent's city operator; the read is recorded in the
    talent's access log."""
    reads.shown(session, caller, talent, purpose=reads.DETAIL_PURPOSE)
    return _detail(session, talent, response)


@router.get("/{talent_id}/history", summary="Every change to the record and its marker")
def talent_history(
    caller: RegistryReader, talent: ValidTalent, session: SessionDep
) -> TalentHistory:
    """Every change to the record and its marker, oldest first. Province admins, auditors
    and the talent's city operator; records nothing."""
    return TalentHistory(items=[outputs.version_out(v) for v in versions_of(session, talent.id)])


@router.get(
    "/{talent_id}/status",
    summary="The marker's state and the holder's priorities at the end of a past day",
)
def talent_status(
    caller: RegistryReader,
    talent: ValidTalent,
    session: SessionDep,
    on: Annotated[date | None, Query(description="YYYY-MM-DD, China time; default today")] = None,
) -> TalentStatusOn:
    """The marker's state and the holder's priorities as they stood at the end of a past day
    (China time), rebuilt from the record's history. Province admins, auditors and the
    talent's city operator; the read is recorded in the talent's access log."""
    today = local_today()
    day = on or today
    if day > today:
        message = "只能查询今天及以前的状态。"
        raise InvalidInput(
            message, code="date_in_future", errors=[field_error("on", "date_in_future", message)]
        )
    reads.shown(session, caller, talent, purpose=f"标识状态查询 {day.isoformat()}")
    marker = as_of.marker_on(as_of.marker_changes(versions_of(session, talent.id)), day)
    return TalentStatusOn(
        on=day,
        marker=None if marker is None else MarkerStateOut(code=marker.code, state=marker.state),
        services=as_of.services_on(marker, active_codes(session.connection(), "services")),
    )


@router.patch(
    "/{talent_id}",
    summary="Correct a record (If-Match required); eligibility and marker follow",
    responses={200: {"headers": _ETAG_HEADER}, **errors(412, 428)},
)
def talent_update(
    caller: ProvinceAdmin,
    talent: ValidTalent,
    edit: TalentEdit,
    session: SessionDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> TalentDetail:
    """Corrects a record (If-Match with the detail's ETag required); eligibility and the
    marker follow. Province admins only; the change is versioned and audited."""
    version = editing.expected_version(if_match)
    editing.edit_talent(
        session,
        caller,
        talent,
        edit.model_dump(exclude_unset=True),
        version=version,
        today=local_today(),
    )
    return _detail(session, talent, response)


@router.post(
    "/{talent_id}/retire",
    summary="Take a record off the register (If-Match required); its marker is withdrawn",
    responses={200: {"headers": _ETAG_HEADER}},
)
def talent_retire(
    caller: ProvinceAdmin,
    talent: ValidTalent,
    retirement: Retirement,
    session: SessionDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> TalentDetail:
    """Take a filed record off the register (退出) with the reason, as a city's retirement
    row would: the marker is withdrawn and the change kept in the record's history. The
    `If-Match` header must name the version the caller last read (428 without it, 412
    when someone changed the record since)."""
    version = editing.expected_version(if_match)
    editing.retire_talent(
        session, caller, talent, reason=retirement.reason, version=version, today=local_today()
    )
    return _detail(session, talent, response)


@router.post("/{talent_id}/marker/grant", summary="Grant the marker by hand, with a reason")
def marker_grant(
    caller: ProvinceAdmin,
    talent: ValidTalent,
    action: MarkerAction,
    session: SessionDep,
    response: Response,
) -> TalentDetail:
    """Grant the marker by hand, with the reason: to an eligible record that has none, or
    for a new term to one whose term ran out (409 otherwise: an active marker needs no
    grant, a suspended or revoked one is reinstated)."""
    markers.grant_marker(session, caller, talent, reason=action.reason, today=local_today())
    return _detail(session, talent, response)


@router.post(
    "/{talent_id}/marker/suspend",
    summary="Suspend the marker, with a reason",
    responses=errors(409),
)
def marker_suspend(
    caller: ProvinceAdmin,
    talent: ValidTalent,
    action: MarkerAction,
    session: SessionDep,
    response: Response,
) -> TalentDetail:
    """Suspends an active marker, with a reason. Province admins only; the change is
    versioned and audited."""
    markers.suspend_marker(session, caller, talent, reason=action.reason)
    return _detail(session, talent, response)


@router.post(
    "/{talent_id}/marker/reinstate",
    summary="Reinstate the marker, with a reason",
    responses=errors(409),
)
def marker_reinstate(
    caller: ProvinceAdmin,
    talent: ValidTalent,
    action: MarkerAction,
    session: SessionDep,
    response: Response,
) -> TalentDetail:
    """Reinstates a suspended marker, with a reason. Province admins only; the change is
    versioned and audited."""
    markers.reinstate_marker(session, caller, talent, reason=action.reason)
    return _detail(session, talent, response)


@router.post(
    "/{talent_id}/marker/revoke",
    summary="Revoke the marker, with a reason",
    responses=errors(409),
)
def marker_revoke(
    caller: ProvinceAdmin,
    talent: ValidTalent,
    action: RevokeAction,
    session: SessionDep,
    response: Response,
) -> TalentDetail:
    """Revokes a marker for good, with an exit reason from the province's list. Province
    admins only; the change is versioned and audited."""
    reason = markers.revocation_reason(session, action.exit_reason, action.reason)
    markers.revoke_marker(session, caller, talent, reason=reason)
    return _detail(session, talent, response)


def _detail(session: Session, talent: Talent, response: Response) -> TalentDetail:
    response.headers["ETag"] = outputs.etag(talent)
    return service.talent_detail(session, talent)
