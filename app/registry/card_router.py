"""Markers on blue cards, for the province: those waiting for a card (待加载), and the
changes since a date for the blue-card pool's own system (CSV or XLSX)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.access.auth import ProvinceAdmin
from app.core.db import SessionDep
from app.core.errors import InvalidInput, field_error
from app.registry import card_markers
from app.registry.markers import local_today

router = APIRouter(prefix="/api/v1/markers", tags=["registry"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WaitingOut(BaseModel):
    talent_id: uuid.UUID
    name: str
    city_code: str
    city_name: str
    marker_code: str
    valid_until: date
    state: Literal["waiting_for_card"] = "waiting_for_card"


@router.get("/waiting", summary="Markers waiting for a blue card (待加载)")
def marker_waiting_list(admin: ProvinceAdmin, session: SessionDep) -> list[WaitingOut]:
    """Lists markers waiting to be loaded on a blue card (待加载): the holder has no card in
    the pool and no filed card number yet. Province admins only; records nothing."""
    return [WaitingOut(**vars(item)) for item in card_markers.waiting_for_a_card(session)]


@router.get(
    "/changes",
    summary="Marker changes on cards since a date, for the blue-card pool's system",
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}},
)
def marker_changes_export(
    admin: ProvinceAdmin,
    session: SessionDep,
    since: date,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """One row per card: `card_no, marker_code, state, valid_until`, `state` being active,
    suspended, revoked or expired; every marker whose state or card changed on or after
    `since` (China time)."""
    today = local_today()
    if since > today:
        message = "起始日期不能晚于今天。"
        raise InvalidInput(message, errors=[field_error("since", "date_in_future", message)])
    items = card_markers.changes_since(session, since, today)
    name = f"marker-changes-since-{since.isoformat()}.{format}"
    if format == "xlsx":
        body, media = card_markers.export_xlsx(items), XLSX_TYPE
    else:
        body, media = card_markers.export_csv(items), "text/csv; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=headers)
