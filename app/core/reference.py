"""Reference data: cities, conditions, categories, services, skill levels, relations.

The CSV files in `seed/reference/` are the source; `sync_reference_data` loads them into
`reference_code` after every upgrade, so the database always matches the release.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import Base
from app.core.resources import project_root

SEED_DIR = project_root() / "seed"
REFERENCE_KINDS = ("cities", "conditions", "categories", "services", "skill-levels", "relations")
PROVINCE_CODE = "340000"


class ReferenceCode(Base):
    __tablename__ = "reference_code"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    short_name_zh: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer)


@lru_cache
def reference_rows(kind: str) -> tuple[dict[str, str], ...]:
    if kind not in REFERENCE_KINDS:
        raise KeyError(kind)
    with (SEED_DIR / "reference" / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
        return tuple(dict(row) for row in csv.DictReader(f))


@lru_cache
def city_names() -> dict[str, str]:
    """The 16 cities (not the province row), code -> Chinese name."""
    return {r["code"]: r["name_zh"] for r in reference_rows("cities") if r["code"] != PROVINCE_CODE}


def name_zh(kind: str, code: str) -> str:
    for row in reference_rows(kind):
        if row["code"] == code:
            return row["name_zh"]
    return code


def sync_reference_data(session: Session) -> None:
    """Upsert the seed's rows and drop those it no longer has: rows are changed in place,
    never deleted and inserted again, so a second run changes nothing."""
    stored = {(r.kind, r.code): r for r in session.scalars(select(ReferenceCode))}
    for kind in REFERENCE_KINDS:
        for position, row in enumerate(reference_rows(kind)):
            current = stored.pop((kind, row["code"]), None) or ReferenceCode(
                kind=kind, code=row["code"]
            )
            current.name_zh = row["name_zh"]
            current.name_en = row["name_en"]
            current.short_name_zh = row.get("short_name_zh") or None
            current.position = position
            session.add(current)
    for gone in stored.values():
        session.delete(gone)
    session.flush()
