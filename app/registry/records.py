"""The canonical filed record: what a city files for one person, once validated.

Record-filing builds these from submission rows; the admin PATCH builds one from the stored
record plus the edit. Both hand it to `service.file_record` (or `service.update_talent`),
so there is one path from data to a stored record, its eligibility and its marker.

ID numbers here are normalised and valid (`identifiers.validate_id_number`), in clear:
these objects live in memory only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from app.core.crypto import KeyRing
from app.core.db import Base
from app.core.reference import codes_of
from app.core.rotation import CipherColumn
from app.registry.codes import Category, Condition
from app.registry.eligibility import (
    AddedCategories,
    ConditionInput,
    Decision,
    EligibilityInput,
    HonorInput,
    decide,
)
from app.registry.models import BlueCard, Dependent, Talent

BUILT_IN_CATEGORIES = frozenset(category.value for category in Category)
# Associated data of each encrypted column: a token copied into another column won't decrypt.
TALENT_ID_CONTEXT = "talent.id_number"
DEPENDENT_ID_CONTEXT = "dependent.id_number"
CARD_ID_CONTEXT = "blue_card.id_number"
# The registry's encrypted columns, for key rotation (`core.rotation`).
CIPHER_COLUMNS: tuple[CipherColumn, ...] = (
    (Base.metadata.tables[Talent.__tablename__], "id_cipher", TALENT_ID_CONTEXT),
    (Base.metadata.tables[Dependent.__tablename__], "id_cipher", DEPENDENT_ID_CONTEXT),
    (Base.metadata.tables[BlueCard.__tablename__], "id_cipher", CARD_ID_CONTEXT),
)


@dataclass(frozen=True)
class HonorData:
    category: str
    title: str | None
    conferred_by: str | None
    year: int | None
    certificate_no: str | None


@dataclass(frozen=True)
class DependentData:
    relation: str
    id_number: str
    name: str


@dataclass(frozen=True)
class TalentData:
    id_number: str
    name: str
    employer: str
    employer_uscc: str | None
    occupation: str
    skill_level: str
    card_no: str | None
    frontline_since: int | None
    # Condition code -> (met, note), all three present.
    conditions: Mapping[str, tuple[bool, str | None]]
    honors: tuple[HonorData, ...] = ()
    dependents: tuple[DependentData, ...] = ()


@dataclass(frozen=True)
class Filed:
    """What filing one record did (the stored rows are written in bulk; query them for more)."""

    talent_id: uuid.UUID
    action: str  # create | update | refile
    version: int
    eligible: bool
    marker_code: str | None
    marker_status: str | None  # the stored status: active | suspended | revoked


def talent_data_of(talent: Talent, keyring: KeyRing) -> TalentData:
    """The stored record as filed data (decrypts the ID numbers: keep it in memory only)."""
    return TalentData(
        id_number=keyring.decrypt(talent.id_cipher, context=TALENT_ID_CONTEXT),
        name=talent.name,
        employer=talent.employer,
        employer_uscc=talent.employer_uscc,
        occupation=talent.occupation,
        skill_level=talent.skill_level,
        card_no=talent.card_no,
        frontline_since=talent.frontline_since,
        conditions=stored_conditions(talent),
        honors=tuple(
            HonorData(h.category, h.title, h.conferred_by, h.year, h.certificate_no)
            for h in talent.honors
        ),
        dependents=tuple(
            DependentData(
                d.relation, keyring.decrypt(d.id_cipher, context=DEPENDENT_ID_CONTEXT), d.name
            )
            for d in talent.dependents
        ),
    )


def stored_conditions(talent: Talent) -> dict[str, tuple[bool, str | None]]:
    return {
        Condition.contribution.value: (talent.contribution_met, talent.contribution_note),
        Condition.skill_performance.value: (
            talent.skill_performance_met,
            talent.skill_performance_note,
        ),
        Condition.frontline.value: (talent.frontline_met, talent.frontline_note),
    }


def decide_for(data: TalentData, *, categories: AddedCategories, retired: bool = False) -> Decision:
    """The eligibility of a record: the only bridge from registry data to `eligibility.decide`.
    `categories`: those the province added (`added_categories`)."""
    return decide(
        EligibilityInput(
            conditions={
                str(code): ConditionInput(bool(met), note)
                for code, (met, note) in data.conditions.items()
            },
            honors=[
                HonorInput(str(h.category), h.title, h.conferred_by, h.year, h.certificate_no)
                for h in data.honors
            ],
            retired=retired,
            added_categories=categories,
        )
    )


def added_categories(connection: Connection) -> AddedCategories:
    """The categories the province added to the reference list, active or not: a record
    filed under one that was later deactivated keeps it until the city files it again."""
    return {
        row.code: (row.name_zh, row.name_en)
        for row in codes_of(connection, "categories")
        if row.code not in BUILT_IN_CATEGORIES
    }
