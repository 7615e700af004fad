"""What filing one person will do to the registry, decided in one place.

A city's row either files the person's whole record or retires them. `plan_filing` looks
at the record as it stands and says what approval will do: create it, update it (with the
changes), re-file it unchanged (the review date renewed), retire it, or leave it (a
retirement of someone already retired); and whether the person will be eligible after.
The filing preview shows the plan; the approval plans again on the same record (it checks
first that no record moved since validation) and carries it out (`service.file_planned`).
What the marker does depends on the day of approval and is settled then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from app.core.crypto import KeyRing
from app.registry.diffs import STATUS_RETIRED, record_changes
from app.registry.eligibility import AddedCategories, Decision
from app.registry.models import Talent
from app.registry.records import TalentData, decide_for, talent_data_of

Action = Literal["create", "update", "unchanged", "retire"]


@dataclass(frozen=True)
class Retiring:
    """A filing that takes the person off the register (退出), with the reason."""

    reason: str


@dataclass
class FilingPlan:
    """`changes` (`field -> [before, after]`, ID numbers masked) and `decision` (the
    eligibility after) are worked out when first read: a create's depend on its record
    alone, so a preview of 100,000 new people need not hold them."""

    talent: Talent | None  # the record as it stands, if there is one
    filed: TalentData | Retiring
    action: Action
    keyring: KeyRing = field(repr=False)
    categories: AddedCategories = field(repr=False)  # `records.added_categories`
    known_changes: dict[str, list[Any]] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The person's name on the record once filed."""
        if isinstance(self.filed, Retiring):
            assert self.talent is not None  # see plan_filing
            return self.talent.name
        return self.filed.name

    @cached_property
    def changes(self) -> dict[str, list[Any]]:
        if self.known_changes is not None:
            return self.known_changes
        assert isinstance(self.filed, TalentData)  # only a create's are left for later
        return record_changes(None, self.filed, self.keyring)

    @cached_property
    def decision(self) -> Decision:
        if isinstance(self.filed, Retiring):
            assert self.talent is not None  # see plan_filing
            data = talent_data_of(self.talent, self.keyring)
            return decide_for(data, categories=self.categories, retired=True)
        return decide_for(self.filed, categories=self.categories)


def plan_filing(
    talent: Talent | None,
    filed: TalentData | Retiring,
    *,
    city_code: str,
    keyring: KeyRing,
    categories: AddedCategories,
) -> FilingPlan:
    """What filing `filed` for the person of `talent` (any city's, or None) will do;
    `categories` are those the province added (`records.added_categories`)."""
    if isinstance(filed, Retiring):
        if talent is None:
            raise ValueError("no record to retire")  # the filing refuses such a row first
        if talent.status == STATUS_RETIRED:
            return FilingPlan(talent, filed, "unchanged", keyring, categories, {})
        changes: dict[str, list[Any]] = {
            "status": [talent.status, STATUS_RETIRED],
            "retired_reason": [talent.retired_reason, filed.reason],
        }
        if talent.eligible:
            changes["eligible"] = [True, False]
        return FilingPlan(talent, filed, "retire", keyring, categories, changes)
    if talent is None:
        return plan_create(filed, keyring, categories)
    changes = record_changes(talent, filed, keyring)
    if talent.city_code != city_code:
        # A person another city retired, now filed here: the record moves.
        changes["city_code"] = [talent.city_code, city_code]
    action: Action = "update" if changes else "unchanged"
    return FilingPlan(talent, filed, action, keyring, categories, changes)


def plan_create(data: TalentData, keyring: KeyRing, categories: AddedCategories) -> FilingPlan:
    """The plan of a new person's record: the same wherever it is filed, so the preview
    can derive it from the sealed record alone when shown."""
    return FilingPlan(None, data, "create", keyring, categories)
