"""Judging a validated row against the registry: may this city file it, and what would it do?

The file alone cannot tell whether a person is already filed by another city, or whether a
person to retire is on this city's register; the registry can. For a row that passes, the
preview says what approval would do (create / update with the changes / retire / nothing
new) and whether the record will be eligible afterwards: the registry's plan
(`plans.plan_filing`), which approval carries out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from app.core.crypto import KeyRing
from app.core.reference import city_names
from app.filing.constants import Outcome
from app.filing.file_format import Action
from app.filing.rows import Retirement, RowError, RowResult, registry_form
from app.filing.sealed import seal
from app.registry.diffs import STATUS_RETIRED
from app.registry.eligibility import AddedCategories
from app.registry.identifiers import mask_id_number
from app.registry.models import Talent
from app.registry.plans import FilingPlan, plan_create, plan_filing
from app.registry.records import TalentData


@dataclass(frozen=True)
class Judgement:
    """A row's errors (the file's and the registry's), or its stored form and outcome."""

    errors: list[RowError]
    outcome: Outcome | None = None
    row: dict[str, Any] | None = None  # the values of its `submission_row`
    # The registry's record of the person is another city's (filed now or before): the
    # check read it, and the caller records that read (`lookup.reads`).
    other_city: bool = False


def judge_row(
    result: RowResult,
    talent: Talent | None,
    *,
    id_hash: str | None,
    city_code: str,
    submission_id: uuid.UUID,
    keyring: KeyRing,
    categories: AddedCategories,
) -> Judgement:
    """`talent` is the registry's record of the row's person (any city), if there is one;
    `categories` those the province added (`records.added_categories`)."""
    errors = list(result.errors)
    if result.id_number is not None:
        errors.extend(_registry_errors(result, result.id_number, talent, city_code))
    other_city = talent is not None and talent.city_code != city_code
    record = result.record
    if errors or record is None or id_hash is None:
        return Judgement(errors, other_city=other_city)
    plan = plan_filing(
        talent,
        registry_form(record),
        city_code=city_code,
        keyring=keyring,
        categories=categories,
    )
    outcome = Outcome(plan.action)
    row = {
        "submission_id": submission_id,
        "row_no": result.row,
        "action": Action.retire.value if isinstance(record, Retirement) else Action.upsert.value,
        "id_hash": id_hash,
        "id_masked": mask_id_number(record.id_number),
        "outcome": outcome.value,
        "record_cipher": seal(record, keyring),
        "base_version": talent.version if talent is not None else None,
        "name": plan.name,
        **_preview(plan, other_city=other_city),
    }
    return Judgement([], outcome, row, other_city)


def _registry_errors(
    result: RowResult, id_number: str, talent: Talent | None, city_code: str
) -> list[RowError]:
    masked = mask_id_number(id_number)
    if talent is not None and talent.city_code != city_code and talent.status != STATUS_RETIRED:
        other = city_names().get(talent.city_code, talent.city_code)
        message = (
            f"该人员（{masked}）已由{other}备案，本市不能报送；"
            f"如已调入本市，请先由{other}办理退出后再报送"
        )
        return [RowError(result.row, "id_number", "filed_by_other_city", message)]
    if result.action is Action.retire and (talent is None or talent.city_code != city_code):
        message = f"本市高技能领军人才库中没有该人员（{masked}），无法办理退出"
        return [RowError(result.row, "id_number", "not_in_city_registry", message)]
    return []


def _preview(plan: FilingPlan, *, other_city: bool) -> dict[str, Any]:
    """A create's changes and eligibility depend on its record alone: the preview derives
    them from the sealed record when shown (`schemas.preview_row`), so 100,000 creates
    cost nothing here. Any other plan's are fixed now, while the registry holds the
    "before". A person another city filed (and retired) is shown as this file has them,
    with that city named and nothing of its record."""
    if plan.action == "create":
        return {"diff": None, "eligible_after": None, "ineligible_reason": None}
    decision = plan.decision
    diff = plan.changes
    if other_city:
        assert isinstance(plan.filed, TalentData)  # another city's person cannot be retired
        as_new = plan_create(plan.filed, plan.keyring, plan.categories).changes
        diff = {**as_new, "city_code": plan.changes["city_code"]}
    return {
        "diff": diff,
        "eligible_after": decision.eligible,
        "ineligible_reason": None if decision.eligible else decision.summary_zh,
    }
