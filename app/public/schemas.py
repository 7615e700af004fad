"""What the public sees: the roster and the marker check. No ID number in any form."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from app.registry.codes import Category


class RosterItem(BaseModel):
    name: str
    gender: str
    city_code: str
    city_name: str
    employer: str
    occupation: str
    categories: list[Category]
    filed_on: date


class RosterPage(BaseModel):
    items: list[RosterItem]
    total: int
    page: int
    page_size: int


class MarkerVerification(BaseModel):
    valid: bool
    name_masked: str
    city_name: str
    categories: list[Category]
    valid_until: date
