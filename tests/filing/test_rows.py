"""Row validation: every field checked, normalised records, clerk-readable Chinese errors."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from app.filing.parsers import RawRow, RawValue, RowIssue, parse_upload
from app.filing.rows import (
    SEEDED_EXIT_REASONS,
    Retirement,
    RowResult,
    check_duplicates,
    validate_row,
)
from app.registry.codes import Category, Condition, Relation, SkillLevel
from app.registry.identifiers import id_check_character
from app.registry.records import DependentData, HonorData, TalentData

TODAY = date(2026, 11, 24)
INVALID_ID = "invalid_id_number"


def valid_id(first17: str) -> str:
    return first17 + id_check_character(first17)


HOLDER = valid_id("34010219800101001")  # ends in X
SPOUSE = valid_id("34010219821203002")
CHILD = valid_id("34010220100905003")
USCC = "91340100MA2N0A1B25"


def upsert(changes: dict[str, RawValue] | None = None) -> dict[str, RawValue]:
    """A valid upsert row as a CSV file gives it (all text), with `changes` by field name."""
    fields: dict[str, RawValue] = {
        "action": "新增或更新",
        "id_number": HOLDER.lower(),
        "name": " 张三 ",
        "employer": "合肥示例精密机械有限公司",
        "employer_uscc": USCC,
        "occupation": "数控车工",
        "skill_level": "高级技师",
        "card_no": None,
        "frontline_since": "2004",
        "conditions.contribution.met": "是",
        "conditions.contribution.note": "主持工艺攻关",
        "conditions.skill_performance.met": "是",
        "conditions.skill_performance.note": None,
        "conditions.frontline.met": "否",
        "conditions.frontline.note": None,
        "honors[].category": ["全国劳动模范", "special_allowance"],
        "honors[].title": ["全国劳动模范", "享受省政府特殊津贴"],
        "honors[].conferred_by": ["中共中央、国务院", "安徽省人民政府"],
        "honors[].year": ["2015", "2018"],
        "honors[].certificate_no": ["LM-1", ""],
        "dependents[].relation": ["配偶", "子女"],
        "dependents[].id_number": [SPOUSE, CHILD],
        "dependents[].name": ["李四", "张小明"],
    }
    fields.update(changes or {})
    return fields


def check(fields: dict[str, RawValue], issues: tuple[RowIssue, ...] = ()) -> RowResult:
    return validate_row(RawRow(7, fields, issues), today=TODAY)


def codes(result: RowResult) -> set[tuple[str, str]]:
    return {(error.field, error.code) for error in result.errors}


def test_valid_upsert_is_normalised_to_codes() -> None:
    result = check(upsert())

    assert result.errors == []
    record = result.record
    assert isinstance(record, TalentData)
    assert record.id_number == HOLDER  # lowercase x normalised
    assert record.name == "张三"
    assert record.skill_level is SkillLevel.senior_technician
    assert record.frontline_since == 2004
    assert record.conditions == {
        Condition.contribution: (True, "主持工艺攻关"),
        Condition.skill_performance: (True, None),
        Condition.frontline: (False, None),
    }
    assert record.honors == (
        HonorData(Category.national_model_worker, "全国劳动模范", "中共中央、国务院", 2015, "LM-1"),
        HonorData(Category.special_allowance, "享受省政府特殊津贴", "安徽省人民政府", 2018, None),
    )
    assert record.dependents == (
        DependentData(Relation.spouse, SPOUSE, "李四"),
        DependentData(Relation.child, CHILD, "张小明"),
    )
    assert result.id_number == HOLDER


def test_json_and_excel_value_types_are_accepted() -> None:
    fields = upsert(
        {
            "action": "upsert",
            "skill_level": "technician",
            "frontline_since": 2004.0,
            "conditions.frontline.met": True,
        }
    )
    fields["honors[].year"] = [2015, datetime(2018, 1, 1)]

    record = check(fields).record

    assert isinstance(record, TalentData)
    assert record.frontline_since == 2004
    assert [honor.year for honor in record.honors] == [2015, 2018]
    assert record.conditions[Condition.frontline] == (True, None)


def test_retire_needs_only_id_number_and_reason() -> None:
    result = check({"action": "退出", "id_number": HOLDER, "reason": "退休", "skill_level": "?"})

    assert result.errors == []
    assert result.record == Retirement(HOLDER, "退休")


def test_retire_without_reason_is_an_error() -> None:
    result = check({"action": "retire", "id_number": HOLDER})

    assert result.record is None
    assert codes(result) == {("reason", "required")}


def test_every_missing_required_field_is_reported_at_once() -> None:
    result = check({"action": "新增或更新"})

    assert codes(result) == {
        ("id_number", "required"),
        ("name", "required"),
        ("employer", "required"),
        ("occupation", "required"),
        ("skill_level", "required"),
        ("conditions.contribution.met", "required"),
        ("conditions.skill_performance.met", "required"),
        ("conditions.frontline.met", "required"),
    }
    assert all(error.row == 7 for error in result.errors)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"action": "删除"}, "action", "invalid_choice"),
        ({"action": None}, "action", "required"),
        ({"id_number": HOLDER[:-1] + "1"}, "id_number", "invalid_id_number"),
        ({"id_number": 340102198001010028.0}, "id_number", "invalid_id_number"),
        ({"employer_uscc": USCC[:-1] + "0"}, "employer_uscc", "invalid_uscc"),
        ({"skill_level": "大师"}, "skill_level", "invalid_code"),
        ({"frontline_since": "1949"}, "frontline_since", "invalid_year"),
        ({"frontline_since": "2027"}, "frontline_since", "invalid_year"),
        ({"frontline_since": 2004.5}, "frontline_since", "invalid_year"),
        ({"conditions.frontline.met": "Y"}, "conditions.frontline.met", "invalid_choice"),
        ({"name": "张" * 51}, "name", "too_long"),
        ({"name": True}, "name", "invalid_type"),
        ({"honors[].category": ["全国劳模", "功勋荣誉"]}, "honors[0].category", "invalid_code"),
        ({"honors[].category": [None, "功勋荣誉"]}, "honors[0].category", "required"),
        ({"dependents[].relation": ["配偶", "兄弟"]}, "dependents[1].relation", "invalid_choice"),
        (
            {"dependents[].id_number": [SPOUSE, 3.4e17]},
            "dependents[1].id_number",
            "invalid_id_number",
        ),
        ({"dependents[].id_number": [SPOUSE, HOLDER]}, "dependents[1].id_number", "same_as_holder"),
        ({"dependents[].name": ["李四", ""]}, "dependents[1].name", "required"),
    ],
)
def test_one_bad_field_gives_one_error_at_its_path(
    changes: dict[str, RawValue], field: str, code: str
) -> None:
    result = check(upsert(changes))

    assert codes(result) == {(field, code)}
    assert result.record is None


def test_honour_year_error_names_the_honour_in_chinese() -> None:
    fields = upsert()
    fields["honors[].category"] = ["全国劳动模范", "全国技术能手", "功勋荣誉"]
    fields["honors[].year"] = ["2015", "2016", "20155"]
    fields["honors[].title"] = ["全国劳动模范", "全国技术能手", "七一勋章"]
    fields["honors[].conferred_by"] = ["中共中央、国务院", "人力资源社会保障部", "中共中央"]
    fields["honors[].certificate_no"] = []

    (error,) = check(fields).errors

    assert (error.field, error.code) == ("honors[2].year", "invalid_honor_year")
    assert error.message.startswith("第3项荣誉的授予年份「20155」无效，应为1949至2026之间")


@pytest.mark.parametrize(
    ("year", "valid"),
    [("1949", True), ("2026", True), ("1948", False), ("2027", False), ("去年", False)],
)
def test_honour_year_runs_from_1949_to_the_filing_year(year: str, valid: bool) -> None:
    result = check(upsert({"honors[].year": [year, "2018"]}))

    assert codes(result) == (set() if valid else {("honors[0].year", "invalid_honor_year")})


@pytest.mark.parametrize("field", ["title", "conferred_by", "year"])
def test_an_honour_without_its_evidence_is_incomplete(field: str) -> None:
    fields = upsert()
    fields[f"honors[].{field}"] = ["", fields[f"honors[].{field}"][1]]  # type: ignore[index]

    result = check(fields)

    assert result.record is None
    assert codes(result) == {(f"honors[0].{field}", "incomplete_honor")}
    assert "每项荣誉须写明荣誉名称、授予机关和授予年份" in result.errors[0].message


def test_a_category_alone_is_incomplete_three_times() -> None:
    fields = upsert({"honors[].category": ["全国劳动模范"]})
    for field in ("title", "conferred_by", "year", "certificate_no"):
        fields[f"honors[].{field}"] = []

    assert codes(check(fields)) == {
        ("honors[0].title", "incomplete_honor"),
        ("honors[0].conferred_by", "incomplete_honor"),
        ("honors[0].year", "incomplete_honor"),
    }


def test_id_errors_show_the_number_masked_only() -> None:
    wrong = HOLDER[:-1] + "1"
    result = check(upsert({"id_number": wrong, "skill_level": wrong}))

    assert result.errors
    for error in result.errors:
        assert wrong not in error.message
        assert re.search(r"[0-9]{10}", error.message) is None
    assert f"{wrong[:6]}**********{wrong[-2:]}" in result.errors[0].message


def test_id_stored_as_a_number_asks_for_a_text_column() -> None:
    (error,) = check(upsert({"id_number": 340102198001010028})).errors

    assert "文本" in error.message


def test_trailing_separator_gives_no_empty_honour() -> None:
    fields = upsert()
    fields["honors[].category"] = ["全国劳动模范", ""]
    fields["honors[].title"] = ["全国劳动模范", ""]
    fields["honors[].conferred_by"] = ["中共中央、国务院", ""]
    fields["honors[].year"] = ["2015", ""]
    fields["honors[].certificate_no"] = []

    record = check(fields).record

    assert isinstance(record, TalentData)
    assert len(record.honors) == 1


def test_json_shape_issues_are_row_errors() -> None:
    issues = (RowIssue("skil_level", "unknown_field"), RowIssue("honors[0]", "invalid_type"))

    result = check(upsert(), issues)

    assert codes(result) == {("skil_level", "unknown_field"), ("honors[0]", "invalid_type")}
    assert "skil_level" in result.errors[0].message


def test_mismatched_honour_columns_in_a_csv_file_are_flagged(tmp_path: Path) -> None:
    path = tmp_path / "city.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["操作", "身份证号", "人才类别", "授予年份", "证书编号"])
        writer.writerow(["新增或更新", HOLDER, "全国劳动模范;全国技术能手", "2015", "A；B"])
    with path.open("rb") as stream:
        (raw,) = parse_upload(stream, path.name)

    result = validate_row(raw, today=TODAY)

    assert ("honors[].year", "list_length_mismatch") in codes(result)
    mismatch = next(e for e in result.errors if e.code == "list_length_mismatch")
    assert "授予年份" in mismatch.message and "1项" in mismatch.message


def test_second_row_with_the_same_person_is_a_duplicate() -> None:
    rows = [
        RawRow(1, {"action": "退出", "id_number": HOLDER, "reason": "退休"}),
        RawRow(2, {"action": "退出", "id_number": SPOUSE, "reason": "退休"}),
        RawRow(3, upsert({"id_number": HOLDER.lower(), "name": None})),
    ]

    results = list(check_duplicates(validate_row(row, today=TODAY) for row in rows))

    assert [r.record is not None for r in results] == [True, True, False]
    assert codes(results[2]) == {("name", "required"), ("id_number", "duplicate_in_file")}
    assert "第1行" in results[2].errors[-1].message


@pytest.mark.parametrize(
    "reason", ["退休", "retirement", "其他：调往合肥", "死亡", "调离本省: 调往江苏"]
)
def test_retire_reason_from_the_exit_list_is_accepted(reason: str) -> None:
    result = check({"action": "退出", "id_number": HOLDER, "reason": reason})
    assert result.errors == []


@pytest.mark.parametrize("reason", ["调往合肥", "x", "辞职"])
def test_retire_reason_outside_the_exit_list_is_an_error(reason: str) -> None:
    result = check({"action": "退出", "id_number": HOLDER, "reason": reason})
    assert codes(result) == {("reason", "invalid_exit_reason")}
    assert "离开一线岗位" in result.errors[0].message


def test_an_exit_reason_the_province_added_is_accepted_when_given() -> None:
    reasons = {**SEEDED_EXIT_REASONS, "emigrated": "emigrated", "出国定居": "emigrated"}
    raw = RawRow(3, {"action": "退出", "id_number": HOLDER, "reason": "出国定居"})
    assert validate_row(raw, today=TODAY, exit_reasons=reasons).errors == []
