"""Figures of the register (`/api/v1/statistics`): the province's and auditors' whole
province, a city operator's own city."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.access.auth import RegistryReader
from app.core.db import SessionDep
from app.registry.markers import local_today
from app.registry.statistics import registry_figures

router = APIRouter(prefix="/api/v1/statistics", tags=["registry"])


class RegistryFiguresOut(BaseModel):
    holders: int = Field(description="People whose marker is active today.")
    by_city: dict[str, int] = Field(description="Holders per city code.")
    by_category: dict[str, int] = Field(
        description="Holders per honour category (a holder of two categories counts in each)."
    )
    by_skill_level: dict[str, int] = Field(description="Holders per skill level.")
    by_marker_state: dict[str, int] = Field(
        description="Every marker issued, by its state today: "
        "active, suspended, revoked, expired, withdrawn."
    )


@router.get("/registry", summary="Holders by city, category and skill level; markers by state")
def get_registry_figures(caller: RegistryReader, session: SessionDep) -> RegistryFiguresOut:
    figures = registry_figures(session, caller, today=local_today())
    return RegistryFiguresOut(**vars(figures))
