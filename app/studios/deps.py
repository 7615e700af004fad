"""Gates and loaders of direct project reporting: the city wall lives here."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select

from app.access.auth import CurrentPrincipal, Principal, allow, within_wall
from app.access.codes import Role
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.studios.models import StudioApplication

# Applications are entered by the talent's city bureau or at a service window.
StudioApplicant = Annotated[Principal, Depends(allow(Role.city_operator, Role.window_clerk))]


def readable_application(
    application_id: uuid.UUID, viewer: CurrentPrincipal, session: SessionDep
) -> StudioApplication:
    """The application, or 404 when unknown or filed in another city."""
    found = session.get(StudioApplication, application_id)
    return within_wall(viewer, found, "未找到该工作室申报。")


def locked_application(application_id: uuid.UUID, session: SessionDep) -> StudioApplication:
    """The application, its row locked until commit: two decisions on it queue up."""
    query = select(StudioApplication).where(StudioApplication.id == application_id)
    application = session.scalar(query.with_for_update())
    if application is None:
        raise NotFound("未找到该工作室申报。")
    return application


ReadableApplication = Annotated[StudioApplication, Depends(readable_application)]
LockedApplication = Annotated[StudioApplication, Depends(locked_application)]
