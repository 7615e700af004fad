"""The stable codes of the registry (conditions, categories, skill levels, relations...).

Codes only: display names live in the seed CSVs. The Chinese words below are the contract's.
Categories and relations are the built-in ones: the province adds more to the reference
lists (`app/reference`), and the filing and the pages take those from `reference_code`.
"""

from __future__ import annotations

from enum import StrEnum

from app.access.codes import Service


class Condition(StrEnum):
    contribution = "contribution"
    skill_performance = "skill_performance"
    frontline = "frontline"


# The three in order. Iterating the Enum class builds its members afresh each time, and a
# filing does it for every row.
CONDITIONS: tuple[Condition, ...] = tuple(Condition)


class Category(StrEnum):
    national_model_worker = "national_model_worker"
    may_day_labour_medal = "may_day_labour_medal"
    china_skills_award = "china_skills_award"
    national_technical_expert = "national_technical_expert"
    special_allowance = "special_allowance"
    provincial_hpcs = "provincial_hpcs"
    # Not one of the six, but the notice treats these workers as leading talents too.
    state_merit_honor = "state_merit_honor"


class SkillLevel(StrEnum):
    chief_technician = "chief_technician"
    principal_technician = "principal_technician"
    senior_technician = "senior_technician"
    technician = "technician"
    senior_worker = "senior_worker"


class Relation(StrEnum):
    spouse = "spouse"
    child = "child"


class MarkerStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"


# The services a registered dependent of a marker holder may get priority for, and only
# under the notice's conditions (`lookup.rules.dependent_entitled`): a child's compulsory
# education, a job-seeking spouse's or child's employment while the holder is assisted.
# A relation the province adds (`reference_code`) is recorded on the dependent but extends
# no service: the notice names only these two.
DEPENDENT_SERVICES: dict[Relation, frozenset[Service]] = {
    Relation.child: frozenset({Service.education, Service.employment}),
    Relation.spouse: frozenset({Service.employment}),
}

SKILL_LEVEL_ZH: dict[SkillLevel, str] = {
    SkillLevel.chief_technician: "首席技师",
    SkillLevel.principal_technician: "特级技师",
    SkillLevel.senior_technician: "高级技师",
    SkillLevel.technician: "技师",
    SkillLevel.senior_worker: "高级工",
}

# The contract's short names for the categories, as city files write them.
CATEGORY_SHORT_ZH: dict[Category, str] = {
    Category.national_model_worker: "全国劳动模范",
    Category.may_day_labour_medal: "全国五一劳动奖章",
    Category.china_skills_award: "中华技能大奖",
    Category.national_technical_expert: "全国技术能手",
    Category.special_allowance: "政府特殊津贴",
    Category.provincial_hpcs: "高精尖缺人才",
    Category.state_merit_honor: "功勋荣誉",
}

RELATION_ZH: dict[Relation, str] = {
    Relation.spouse: "配偶",
    Relation.child: "子女",
}
