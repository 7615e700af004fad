"""Loaders that hand routes a checked object: the city wall lives here, not in routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.access.auth import CurrentPrincipal, within_wall
from app.core.db import SessionDep
from app.registry.models import Talent
from app.registry.queries import load_talent


def valid_talent(talent_id: uuid.UUID, caller: CurrentPrincipal, session: SessionDep) -> Talent:
    """The record, or 404 when it does not exist or lies beyond the caller's city wall."""
    return within_wall(caller, load_talent(session, talent_id), "未找到该人才记录。")


ValidTalent = Annotated[Talent, Depends(valid_talent)]
