"""Reference data: cities, conditions, categories, services, skill levels, relations, and
the lists the province extends (exit reasons, studio programmes, category 6's recognition
lists by year).

The CSV files in `seed/reference/` are what each release brings; `sync_reference_data`
adds their rows to `reference_code` after every upgrade. The notice says 等 of services,
categories and relations, so the province adds codes of the `EXTENSIBLE_KINDS` too
(`app/reference`). A code, once it exists, never changes and is never deleted (records and
partner scopes name it): its label may be renamed, and it may be deactivated.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from sqlalchemy import Boolean, Connection, Integer, String, false, select, true
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import Base
from app.core.errors import InvalidInput, field_error
from app.core.resources import project_root

SEED_DIR = project_root() / "seed"
REFERENCE_KINDS = (
    "cities",
    "conditions",
    "categories",
    "services",
    "skill-levels",
    "relations",
    "exit-reasons",
    "studio-programmes",
    "recognition-lists",
)
# The kinds the province adds codes to, renames and deactivates.
EXTENSIBLE_KINDS = (
    "services",
    "categories",
    "relations",
    "exit-reasons",
    "studio-programmes",
    "recognition-lists",
)
PROVINCE_CODE = "340000"
# How long a process trusts its copy of the active codes (others' changes show within it;
# its own at once).
ACTIVE_CODES_TTL_SECONDS = 10.0


class ReferenceCode(Base):
    __tablename__ = "reference_code"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    short_name_zh: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set once the province added or renamed the row: a release no longer overwrites it.
    province_managed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A studio programme's owning unit; a recognition list's category and year.
    owner_unit: Mapped[str | None] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)


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
    """The Chinese label of a code: as last read from the database, else the seed's."""
    return _label(kind, code, "name_zh") or code


def short_name_zh(kind: str, code: str) -> str:
    """The short Chinese label (a category's, as city files write it), else the label."""
    return _label(kind, code, "short_name_zh") or name_zh(kind, code)


def owner_unit(kind: str, code: str) -> str | None:
    """A studio programme's owning unit."""
    return _label(kind, code, "owner_unit")


def _label(kind: str, code: str, field: str) -> str | None:
    entry = _entries.get(kind, {}).get(code)
    if entry is not None:
        return cast(str | None, getattr(entry, field))
    for row in reference_rows(kind):
        if row["code"] == code:
            return row.get(field) or None
    return None


def sync_reference_data(session: Session) -> None:
    """Add the seed's rows and bring its labels up to date, changed in place so a second run
    changes nothing. Rows the province added or renamed are left as they are, and no row is
    deleted: a code once used stays (the province deactivates it instead)."""
    stored = {(r.kind, r.code): r for r in session.scalars(select(ReferenceCode))}
    for kind in REFERENCE_KINDS:
        for position, row in enumerate(reference_rows(kind)):
            current = stored.get((kind, row["code"]))
            if current is None:
                current = ReferenceCode(kind=kind, code=row["code"], active=True)
                current.province_managed = False
            elif current.province_managed:
                continue
            current.name_zh = row["name_zh"]
            current.name_en = row["name_en"]
            current.short_name_zh = row.get("short_name_zh") or None
            current.owner_unit = row.get("owner_unit") or None
            current.parent_code = row.get("parent_code") or None
            current.year = int(row["year"]) if row.get("year") else None
            current.position = position
            session.add(current)
    session.flush()
    forget_active_codes()


@dataclass(frozen=True)
class ReferenceEntry:
    kind: str
    code: str
    name_zh: str
    name_en: str
    short_name_zh: str | None
    active: bool
    province_managed: bool
    owner_unit: str | None
    parent_code: str | None
    year: int | None


_loaded: dict[str, tuple[float, tuple[ReferenceEntry, ...]]] = {}
# The latest rows read from the database, by kind and code: `name_zh` and the other labels
# prefer them to the seed's, so a code the province added or renamed shows under its label.
_entries: dict[str, dict[str, ReferenceEntry]] = {}


def codes_of(connection: Connection, kind: str) -> tuple[ReferenceEntry, ...]:
    """The rows of `kind` in order, active or not, read at most every
    `ACTIVE_CODES_TTL_SECONDS` (a lookup checks its service against them on the hot path)."""
    cached = _loaded.get(kind)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    table = ReferenceCode.__table__
    columns = [table.c[name] for name in ReferenceEntry.__dataclass_fields__]
    statement = (
        select(*columns).where(table.c.kind == kind).order_by(table.c.position, table.c.code)
    )
    rows = tuple(ReferenceEntry(*row) for row in connection.execute(statement))
    _loaded[kind] = (now + ACTIVE_CODES_TTL_SECONDS, rows)
    _entries[kind] = {row.code: row for row in rows}
    return rows


# The active codes of the rows last read, so that a lookup does not build the set again.
_active: dict[str, tuple[tuple[ReferenceEntry, ...], frozenset[str]]] = {}


def active_codes(connection: Connection, kind: str) -> frozenset[str]:
    rows = codes_of(connection, kind)
    memo = _active.get(kind)
    if memo is None or memo[0] is not rows:
        memo = _active[kind] = (rows, frozenset(row.code for row in rows if row.active))
    return memo[1]


def check_code(connection: Connection, kind: str, code: str, *, field: str, label: str) -> None:
    """Refuse (422 `invalid_code`) a code not on the list. Active or not: a filter may name a
    code that older records hold."""
    if all(row.code != code for row in codes_of(connection, kind)):
        message = f"{label}「{code[:40]}」不在清单中，请从列表中选择。"
        raise InvalidInput(message, errors=[field_error(field, "invalid_code", message)])


def refresh_labels(connection: Connection, *kinds: str) -> None:
    """Read `kinds` (at most every `ACTIVE_CODES_TTL_SECONDS`) before showing their codes,
    so `name_zh` and the other labels name the codes the province added or renamed."""
    for kind in kinds:
        codes_of(connection, kind)


def forget_active_codes() -> None:
    """Drop this process's copy: after a change, or between tests on fresh databases."""
    _loaded.clear()
