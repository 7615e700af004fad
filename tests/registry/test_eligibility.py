import json

import pytest

from app.registry.codes import Category, Condition
from app.registry.eligibility import (
    CONDITION_NAMES,
    RULES_VERSION,
    ConditionInput,
    Decision,
    EligibilityInput,
    HonorInput,
    decide,
)

ALL_MET = {c.value: ConditionInput(met=True, note=f"{c.value} 的书面说明") for c in Condition}
MODEL_WORKER = HonorInput(
    "national_model_worker", "全国劳动模范", "中共中央、国务院", 2015, "QG2015-0123"
)
MERIT = HonorInput("state_merit_honor", "全国劳动模范和先进工作者", "中共中央、国务院", 2020, None)
NONE_MET = {c.value: ConditionInput(met=False, note=None) for c in Condition}


def _record(
    *,
    conditions: dict[str, ConditionInput] | None = None,
    honors: list[HonorInput] | None = None,
    retired: bool = False,
) -> EligibilityInput:
    return EligibilityInput(
        conditions=ALL_MET if conditions is None else conditions,
        honors=[MODEL_WORKER] if honors is None else honors,
        retired=retired,
    )


def _reason(decision: Decision, code: str) -> tuple[bool, str, str]:
    for reason in (*decision.conditions, *decision.categories):
        if reason.code == code:
            return reason.holds, reason.reason_zh, reason.reason_en
    raise AssertionError(f"no reason for {code}")


def test_all_conditions_and_one_honour_make_eligible() -> None:
    decision = decide(_record())
    assert decision.eligible
    assert decision.rules_version == RULES_VERSION
    assert decision.route == "selection"
    assert decision.summary_zh == ("符合（甄选）：满足全部3个条件，属于类别「全国劳动模范」")
    assert decision.summary_en.startswith("Eligible by selection")


def test_there_is_a_reason_for_every_condition_and_category_in_order() -> None:
    decision = decide(_record())
    assert [r.code for r in decision.conditions] == [c.value for c in Condition]
    assert [r.code for r in decision.categories] == [c.value for c in Category]


@pytest.mark.parametrize("category", list(Category))
def test_each_category_alone_qualifies(category: Category) -> None:
    honor = HonorInput(category.value, "某荣誉", "某授予机关", 2020, "C-1")
    decision = decide(_record(honors=[honor]))
    assert decision.eligible
    assert decision.route == ("merit" if category == Category.state_merit_honor else "selection")
    holds, reason_zh, _ = _reason(decision, category.value)
    assert holds
    assert "某荣誉（2020年）" in reason_zh
    assert [r.code for r in decision.categories if r.holds] == [category.value]


@pytest.mark.parametrize("condition", list(Condition))
def test_each_unmet_condition_disqualifies(condition: Condition) -> None:
    conditions = {**ALL_MET, condition.value: ConditionInput(met=False, note="经评议不满足")}
    decision = decide(_record(conditions=conditions))
    assert not decision.eligible
    holds, reason_zh, _ = _reason(decision, condition.value)
    assert not holds
    zh_name = CONDITION_NAMES[condition][0]
    assert reason_zh == f"未满足条件「{zh_name}」"
    assert decision.summary_zh == f"不符合：未满足条件「{zh_name}」"
    assert decision.summary_en.startswith("Not eligible: condition not met")


@pytest.mark.parametrize("condition", list(Condition))
def test_each_missing_condition_disqualifies(condition: Condition) -> None:
    conditions = {k: v for k, v in ALL_MET.items() if k != condition.value}
    decision = decide(_record(conditions=conditions))
    assert not decision.eligible
    assert not _reason(decision, condition.value)[0]


@pytest.mark.parametrize("note", [None, "", "   ", "\n", "x", "符合", "九个字的书面说明啊"])
@pytest.mark.parametrize("condition", list(Condition))
def test_met_condition_without_justification_does_not_hold(
    condition: Condition, note: str | None
) -> None:
    conditions = {**ALL_MET, condition.value: ConditionInput(met=True, note=note)}
    decision = decide(_record(conditions=conditions))
    assert not decision.eligible
    holds, reason_zh, reason_en = _reason(decision, condition.value)
    assert not holds
    assert "书面说明不足10个字" in reason_zh
    assert "without a written justification of at least 10 characters" in reason_en
    assert "书面说明不足10个字" in decision.summary_zh


def test_a_note_of_ten_characters_is_enough() -> None:
    conditions = {**ALL_MET, "frontline": ConditionInput(met=True, note="  十个字的一线书面说明  ")}
    assert decide(_record(conditions=conditions)).eligible


def test_the_frontline_example_summary_reads_as_policy() -> None:
    conditions = {**ALL_MET, "frontline": ConditionInput(met=False, note=None)}
    assert (
        decide(_record(conditions=conditions)).summary_zh
        == "不符合：未满足条件「长期坚守在生产服务一线岗位工作」"
    )


def test_no_honours_disqualifies() -> None:
    decision = decide(_record(honors=[]))
    assert not decision.eligible
    assert not any(r.holds for r in decision.categories)
    assert decision.route is None
    assert decision.summary_zh == (
        "不符合：无6类高技能领军人才类别或党和国家功勋荣誉中有完整证明的荣誉"
    )


def test_honour_in_an_unknown_category_is_ignored() -> None:
    honor = HonorInput("provincial_model_worker", "省劳动模范", "省政府", 2019, "AH-7")
    decision = decide(_record(honors=[honor]))
    assert not decision.eligible
    assert "provincial_model_worker" not in [r.code for r in decision.categories]


def test_unknown_category_beside_a_known_one_does_not_matter() -> None:
    honors = [
        HonorInput("provincial_model_worker", "省劳动模范", "省政府", 2019, None),
        MODEL_WORKER,
    ]
    assert decide(_record(honors=honors)).eligible


def test_retired_record_is_never_eligible() -> None:
    decision = decide(_record(retired=True))
    assert not decision.eligible
    assert decision.conditions[0].code == "retired"
    assert not decision.conditions[0].holds
    assert decision.summary_zh == "不符合：已退出高技能领军人才库"
    assert decision.summary_en == "Not eligible: retired from the leading-talent register"


def test_retired_reason_appears_only_for_retired_records() -> None:
    assert "retired" not in [r.code for r in decide(_record()).conditions]


def test_summary_names_every_decisive_reason() -> None:
    conditions = {
        **ALL_MET,
        "contribution": ConditionInput(met=False, note=None),
        "frontline": ConditionInput(met=True, note=None),
    }
    decision = decide(_record(conditions=conditions, honors=[], retired=True))
    assert decision.summary_zh == (
        "不符合：已退出高技能领军人才库"
        "；未满足条件「为国家经济发展和重大战略实施作出突出贡献」"
        "；条件「长期坚守在生产服务一线岗位工作」标为满足，但书面说明不足10个字"
        "；无6类高技能领军人才类别或党和国家功勋荣誉中有完整证明的荣誉"
    )
    assert decision.summary_en.count(";") == 3


def test_category_reason_names_every_honour_in_it() -> None:
    honors = [
        HonorInput("special_allowance", "国务院政府特殊津贴", "国务院", 2012, "GT-1"),
        HonorInput("special_allowance", "省政府特殊津贴", "省政府", 2016, None),
    ]
    holds, reason_zh, reason_en = _reason(decide(_record(honors=honors)), "special_allowance")
    assert holds
    assert reason_zh.endswith("：国务院政府特殊津贴（2012年）、省政府特殊津贴（2016年）")
    assert reason_en.endswith(": 国务院政府特殊津贴 (2012); 省政府特殊津贴 (2016)")


def test_several_categories_are_all_named_in_the_summary() -> None:
    expert = HonorInput("national_technical_expert", "全国技术能手", "人社部", 2010, None)
    decision = decide(_record(honors=[MODEL_WORKER, expert]))
    assert decision.summary_zh.endswith(
        "：满足全部3个条件，属于类别「全国劳动模范」、「全国技术能手」"
    )


# Both routes and every evidence gap: (conditions, honours, eligible, route).
INCOMPLETE = {
    "no title": HonorInput("national_model_worker", None, "中共中央、国务院", 2015, None),
    "no authority": HonorInput("national_model_worker", "全国劳动模范", None, 2015, None),
    "blank authority": HonorInput("national_model_worker", "全国劳动模范", "", 2015, None),
    "no year": HonorInput("national_model_worker", "全国劳动模范", "中共中央、国务院", None, None),
    "merit without year": HonorInput("state_merit_honor", "七一勋章", "中共中央", None, None),
}
TABLE = [
    pytest.param(ALL_MET, [MODEL_WORKER], True, "selection", id="selection"),
    pytest.param(NONE_MET, [MERIT], True, "merit", id="merit without conditions"),
    pytest.param(ALL_MET, [MERIT], True, "merit", id="merit with conditions"),
    pytest.param(ALL_MET, [MODEL_WORKER, MERIT], True, "merit", id="merit wins"),
    pytest.param(NONE_MET, [MODEL_WORKER], False, None, id="six categories need conditions"),
    pytest.param(ALL_MET, [], False, None, id="conditions need an honour"),
    *(pytest.param(ALL_MET, [honor], False, None, id=name) for name, honor in INCOMPLETE.items()),
    pytest.param(
        ALL_MET,
        [INCOMPLETE["no year"], MODEL_WORKER],
        True,
        "selection",
        id="one complete suffices",
    ),
]


@pytest.mark.parametrize(("conditions", "honors", "eligible", "route"), TABLE)
def test_eligibility_table(
    conditions: dict[str, ConditionInput],
    honors: list[HonorInput],
    eligible: bool,
    route: str | None,
) -> None:
    decision = decide(_record(conditions=conditions, honors=honors))
    assert (decision.eligible, decision.route) == (eligible, route)
    if route == "merit":
        assert decision.summary_zh.startswith("符合（党和国家功勋荣誉表彰）：属于类别")


@pytest.mark.parametrize("name", list(INCOMPLETE))
def test_an_honour_without_evidence_is_named_in_the_summary(name: str) -> None:
    decision = decide(_record(honors=[INCOMPLETE[name]]))
    assert "荣誉缺少荣誉名称、授予机关或授予年份，不作为证明" in decision.summary_zh


def test_a_retired_merit_holder_is_not_eligible() -> None:
    decision = decide(_record(conditions=NONE_MET, honors=[MERIT], retired=True))
    assert (decision.eligible, decision.route) == (False, None)


def test_decision_as_dict_is_json_ready() -> None:
    data = decide(_record()).as_dict()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again == data
    assert again["eligible"] is True
    assert again["route"] == "selection"
    assert again["rules_version"] == RULES_VERSION
    assert again["conditions"][0] == {
        "code": "contribution",
        "holds": True,
        "reason_zh": "满足条件「为国家经济发展和重大战略实施作出突出贡献」（附书面说明）",
        "reason_en": "condition met: outstanding contribution to economic development "
        "and major national strategies",
    }
    assert len(again["categories"]) == len(Category)


# A category the province added to the reference list (the notice's 等).
ADDED = {"youth_skill_star": ("安徽青年技能之星", "Anhui Youth Skill Star")}
STAR = HonorInput("youth_skill_star", "安徽青年技能之星", "共青团安徽省委", 2024, None)


def test_a_category_the_province_added_is_judged_as_the_six() -> None:
    decision = decide(EligibilityInput(ALL_MET, [STAR], added_categories=ADDED))

    assert (decision.eligible, decision.route) == (True, "selection")
    assert decision.summary_zh == "符合（甄选）：满足全部3个条件，属于类别「安徽青年技能之星」"
    assert decision.summary_en == (
        "Eligible by selection: meets all 3 conditions; category: Anhui Youth Skill Star"
    )
    assert [r.code for r in decision.categories] == [*Category, "youth_skill_star"]
    assert (
        decision.categories[-1].reason_zh
        == "属于类别「安徽青年技能之星」：安徽青年技能之星（2024年）"
    )
    assert not decide(EligibilityInput(NONE_MET, [STAR], added_categories=ADDED)).eligible
    assert not decide(EligibilityInput(ALL_MET, [STAR])).eligible  # not on the list: no category
    unevidenced = HonorInput("youth_skill_star", "安徽青年技能之星", None, 2024, None)
    refused = decide(EligibilityInput(ALL_MET, [unevidenced], added_categories=ADDED))
    assert "「安徽青年技能之星」荣誉缺少荣誉名称、授予机关或授予年份" in refused.summary_zh


@pytest.mark.parametrize(("conditions", "honors", "eligible", "route"), TABLE)
def test_added_categories_change_nothing_for_a_record_of_the_seven(
    conditions: dict[str, ConditionInput],
    honors: list[HonorInput],
    eligible: bool,
    route: str | None,
) -> None:
    plain = decide(_record(conditions=conditions, honors=honors))
    assert decide(EligibilityInput(conditions, honors, added_categories=ADDED)) == plain
