"""Who is a high-skill leading talent (高技能领军人才): the one place the rule is decided.

Source: the provincial HR and Social Security Department's notice of 2018-10-18. The rule,
in plain words:

1. The person is still on the register: a record the city has retired (退出, e.g. on
   retirement) is never eligible.
2. Then by one of two routes:
   - **selection** (甄选): all three conditions hold (outstanding contribution, superb
     skill and first-class performance, long-term work on the front line), each judged by
     the city *with a written justification* of at least `MIN_NOTE_LENGTH` characters (a
     condition marked as met without one does NOT count: the province cannot file a
     judgement it cannot read), and at least one honour is in one of the six categories
     or in a category the province added to the list (the notice's 等; `reference_code`);
   - **merit** (功勋荣誉): at least one honour is a Party and State merit honour; the
     notice treats those workers as leading talents on that honour alone ("在…甄选基础上，
     将…列为重点支持对象"), without the conditions.
3. An honour counts only as evidence: with its title, conferring authority and year.

`decide` takes the record's data and returns the decision with its route and a reason for
each condition and each category, in Chinese and English, so an officer can see why.
Change `RULES_VERSION` whenever the rule changes: each stored decision records the version
it was made under.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.registry.codes import CONDITIONS, Category, Condition

RULES_VERSION = "2018-10-18/2"  # the notice's date / our revision of its reading

# A justification shorter than this says nothing an officer can check ("x", "是").
MIN_NOTE_LENGTH = 10

Route = Literal["selection", "merit"]
ROUTE_NAMES: dict[Route, tuple[str, str]] = {
    "selection": ("甄选", "selection"),
    "merit": ("党和国家功勋荣誉表彰", "Party and State merit honour"),
}
# Iterating an Enum class builds its members afresh each time; decide() does it per record.
_CATEGORIES = tuple(c.value for c in Category)
SELECTION_CATEGORIES = tuple(c for c in _CATEGORIES if c != Category.state_merit_honor)
# The categories the province added to the reference list, code -> (Chinese, English) name.
AddedCategories = Mapping[str, tuple[str, str]]

CONDITION_NAMES: dict[Condition, tuple[str, str]] = {
    Condition.contribution: (
        "为国家经济发展和重大战略实施作出突出贡献",
        "outstanding contribution to economic development and major national strategies",
    ),
    Condition.skill_performance: (
        "具有高超技艺技能和一流业绩水平",
        "superb skill and first-class performance",
    ),
    Condition.frontline: (
        "长期坚守在生产服务一线岗位工作",
        "long-term work in a front-line production or service post",
    ),
}

CATEGORY_NAMES: dict[Category, tuple[str, str]] = {
    Category.national_model_worker: ("全国劳动模范", "National Model Worker"),
    Category.may_day_labour_medal: (
        "全国五一劳动奖章获得者",
        "National May Day Labour Medal recipient",
    ),
    Category.china_skills_award: ("中华技能大奖获得者", "China Skills Award recipient"),
    Category.national_technical_expert: ("全国技术能手", "National Technical Expert"),
    Category.special_allowance: (
        "享受国务院政府特殊津贴和省政府特殊津贴的技能人员",
        "skilled worker receiving the State Council or provincial government special allowance",
    ),
    Category.provincial_hpcs: (
        "省政府认定的“高精尖缺”高技能人才",
        '"high, precision, cutting-edge, scarce" high-skill talent recognised by the province',
    ),
    Category.state_merit_honor: (
        "受到党和国家功勋荣誉表彰的技术工人",
        "technical worker decorated with Party and State merit honours",
    ),
}

RETIRED = "retired"
NO_CATEGORY = (
    "无6类高技能领军人才类别或党和国家功勋荣誉中有完整证明的荣誉",
    "no evidenced honour in any of the six categories or a Party and State merit honour",
)


@dataclass(frozen=True)
class ConditionInput:
    met: bool
    note: str | None


@dataclass(frozen=True)
class HonorInput:
    category: str
    title: str | None
    conferred_by: str | None
    year: int | None
    certificate_no: str | None

    @property
    def evidenced(self) -> bool:
        """Title, conferring authority and year: what makes an honour evidence."""
        return bool(self.title and self.conferred_by and self.year is not None)


@dataclass(frozen=True)
class EligibilityInput:
    conditions: Mapping[str, ConditionInput]
    honors: Sequence[HonorInput]
    retired: bool = False
    # Judged as the six are; an honour in a code of neither list proves nothing.
    added_categories: AddedCategories = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    """Whether one requirement holds and why; `code` is a condition, a category or `retired`."""

    code: str
    holds: bool
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class Decision:
    eligible: bool
    rules_version: str
    conditions: tuple[Reason, ...]
    categories: tuple[Reason, ...]
    summary_zh: str
    summary_en: str
    route: Route | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "eligible": self.eligible,
            "route": self.route,
            "rules_version": self.rules_version,
            "conditions": [_reason_dict(reason) for reason in self.conditions],
            "categories": [_reason_dict(reason) for reason in self.categories],
            "summary_zh": self.summary_zh,
            "summary_en": self.summary_en,
        }


def decide(record: EligibilityInput) -> Decision:
    """Apply the rule in this module's docstring to one record."""
    conditions = tuple(_judge_condition(c, record.conditions.get(c)) for c in CONDITIONS)
    if record.retired:
        conditions = (_retired_reason(), *conditions)
    added = record.added_categories
    # Only the added categories the record has an honour in: a record of the six alone is
    # explained exactly as before any was added.
    extra = tuple(
        dict.fromkeys(
            h.category
            for h in record.honors
            if h.category in added and h.category not in _BUILT_IN_NAMES
        )
    )
    evidence: dict[str, list[HonorInput]] = {}
    for honor in record.honors:
        if honor.evidenced:
            evidence.setdefault(honor.category, []).append(honor)
    categories = tuple(
        _judge_category(code, evidence.get(code, ()), added) for code in (*_CATEGORIES, *extra)
    )
    held = {r.code for r in categories if r.holds}
    selection = (*SELECTION_CATEGORIES, *extra)
    route: Route | None = None
    if not record.retired and Category.state_merit_honor.value in held:
        route = "merit"
    elif any(c in held for c in selection) and all(r.holds for r in conditions):
        route = "selection"
    if route is not None:
        route_zh, route_en = ROUTE_NAMES[route]
        shown = (Category.state_merit_honor.value,) if route == "merit" else selection
        names = [category_names(c, added) for c in shown if c in held]
        met_zh, met_en = (
            ("满足全部3个条件，", "meets all 3 conditions; ") if route == "selection" else ("", "")
        )
        summary_zh = f"符合（{route_zh}）：{met_zh}属于类别" + "、".join(
            f"「{zh}」" for zh, _ in names
        )
        summary_en = f"Eligible by {route_en}: {met_en}category: " + "; ".join(
            en for _, en in names
        )
    else:
        failed = [(r.reason_zh, r.reason_en) for r in conditions if not r.holds]
        if not held:
            failed.append(NO_CATEGORY)
        failed.extend(_unevidenced(record.honors, added))
        summary_zh = "不符合：" + "；".join(zh for zh, _ in failed)
        summary_en = "Not eligible: " + "; ".join(en for _, en in failed)
    eligible = route is not None
    return Decision(eligible, RULES_VERSION, conditions, categories, summary_zh, summary_en, route)


def category_names(code: str, added: AddedCategories) -> tuple[str, str]:
    """A category's Chinese and English names: the notice's for the seven built in, the
    reference row's for one the province added."""
    return _BUILT_IN_NAMES.get(code) or added.get(code) or (code, code)


def _unevidenced(honors: Sequence[HonorInput], added: AddedCategories) -> list[tuple[str, str]]:
    """Honours that do not count for want of a title, an authority or a year."""
    reasons = []
    for honor in honors:
        if honor.evidenced or not (honor.category in _BUILT_IN_NAMES or honor.category in added):
            continue
        zh, en = category_names(honor.category, added)
        reasons.append(
            (
                f"「{zh}」荣誉缺少荣誉名称、授予机关或授予年份，不作为证明",
                f"an honour in {en} lacks its title, authority or year",
            )
        )
    return reasons


def _judge_condition(condition: Condition, given: ConditionInput | None) -> Reason:
    if given is None or not given.met:
        return _NOT_MET[condition]
    zh, en = CONDITION_NAMES[condition]
    if len((given.note or "").strip()) < MIN_NOTE_LENGTH:
        return Reason(
            condition.value,
            False,
            f"条件「{zh}」标为满足，但书面说明不足{MIN_NOTE_LENGTH}个字",
            f"condition marked as met without a written justification of at least "
            f"{MIN_NOTE_LENGTH} characters: {en}",
        )
    return _MET[condition]


def _judge_category(code: str, evidence: Sequence[HonorInput], added: AddedCategories) -> Reason:
    """`evidence`: the record's evidenced honours in the category."""
    if not evidence and code in _NOT_HELD:
        return _NOT_HELD[code]
    zh, en = category_names(code, added)
    if not evidence:
        return _not_held(code, zh, en)
    named_zh = "、".join(_honor_label(honor, zh, "（{}年）") for honor in evidence)
    named_en = "; ".join(_honor_label(honor, en, " ({})") for honor in evidence)
    return Reason(code, True, f"属于类别「{zh}」：{named_zh}", f"in category {en}: {named_en}")


def _not_held(code: str, zh: str, en: str) -> Reason:
    return Reason(code, False, f"无「{zh}」类荣誉", f"no honour in category: {en}")


# The reasons that name no honour or note are the same for every record: built once, not
# seven times a record (a 100,000-row filing decides each row at validation and approval).
_NOT_MET = {
    condition: Reason(condition.value, False, f"未满足条件「{zh}」", f"condition not met: {en}")
    for condition, (zh, en) in CONDITION_NAMES.items()
}
_MET = {
    condition: Reason(
        condition.value, True, f"满足条件「{zh}」（附书面说明）", f"condition met: {en}"
    )
    for condition, (zh, en) in CONDITION_NAMES.items()
}
_BUILT_IN_NAMES = {category.value: names for category, names in CATEGORY_NAMES.items()}
_NOT_HELD = {code: _not_held(code, zh, en) for code, (zh, en) in _BUILT_IN_NAMES.items()}


def _honor_label(honor: HonorInput, fallback: str, year_format: str) -> str:
    label = honor.title or fallback
    return label + (year_format.format(honor.year) if honor.year is not None else "")


def _retired_reason() -> Reason:
    return Reason(
        RETIRED, False, "已退出高技能领军人才库", "retired from the leading-talent register"
    )


def _reason_dict(reason: Reason) -> dict[str, object]:
    return {
        "code": reason.code,
        "holds": reason.holds,
        "reason_zh": reason.reason_zh,
        "reason_en": reason.reason_en,
    }
