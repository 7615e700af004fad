"""Loaders of assistance cases: the city wall lives here."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select

from app.access.auth import CurrentPrincipal, within_wall
from app.assistance.models import AssistanceCase
from app.core.db import SessionDep

_NOT_FOUND = "未找到该帮扶台账。"


def readable_case(
    case_id: uuid.UUID, viewer: CurrentPrincipal, session: SessionDep
) -> AssistanceCase:
    """The case, or 404 when unknown or in a city the viewer may not see."""
    return within_wall(viewer, session.get(AssistanceCase, case_id), _NOT_FOUND)


def writable_case(
    case_id: uuid.UUID, viewer: CurrentPrincipal, session: SessionDep
) -> AssistanceCase:
    """The case, its row locked until commit, or 404 outside the viewer's city."""
    query = select(AssistanceCase).where(AssistanceCase.id == case_id).with_for_update()
    return within_wall(viewer, session.scalar(query), _NOT_FOUND)


ReadableCase = Annotated[AssistanceCase, Depends(readable_case)]
WritableCase = Annotated[AssistanceCase, Depends(writable_case)]
