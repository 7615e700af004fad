"""Loaders of assistance cases: the city wall lives here."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select

from app.access.auth import CurrentPrincipal
from app.assistance.models import AssistanceCase
from app.core.db import SessionDep
from app.core.errors import NotFound


def readable_case(
    case_id: uuid.UUID, viewer: CurrentPrincipal, session: SessionDep
) -> AssistanceCase:
    """The case, or 404 when unknown or in a city the viewer may not see."""
    case = session.get(AssistanceCase, case_id)
    if case is None or not viewer.sees_city(case.city_code):
        raise NotFound("未找到该帮扶案件。")
    return case


def writable_case(
    case_id: uuid.UUID, viewer: CurrentPrincipal, session: SessionDep
) -> AssistanceCase:
    """The case, its row locked until commit, or 404 outside the viewer's city."""
    query = select(AssistanceCase).where(AssistanceCase.id == case_id).with_for_update()
    case = session.scalar(query)
    if case is None or not viewer.sees_city(case.city_code):
        raise NotFound("未找到该帮扶案件。")
    return case


ReadableCase = Annotated[AssistanceCase, Depends(readable_case)]
WritableCase = Annotated[AssistanceCase, Depends(writable_case)]
