"""Row validation of a submission file: raw cells in, a normalised record or errors out.

A valid upsert row gives the registry's canonical `TalentData`, ready for
`registry.plans.plan_filing`; a valid retire row gives a `Retirement`.

Pure: the caller passes `today` (year limits, birth dates). Every field is checked, so a
clerk sees all of a row's problems at once; only a row whose action is missing or unknown
is checked for its ID number alone, since which fields are required depends on the action.
Every text cell but the ID numbers' own is free text: an ID number or a control character
in it is the row error `id_number_in_text` or `invalid_text` (`core/free_text.py`).
Messages are Chinese and never hold a full ID number: ID numbers are masked, and any
ID-shaped text or long digit run echoed from a cell is masked too.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from app.core.free_text import TextError, check_free_text
from app.core.reference import reference_rows
from app.filing.file_format import EARLIEST_HONOR_YEAR, EARLIEST_YEAR, MAX_LENGTH, Action
from app.filing.parsers import cells
from app.filing.parsers.base import RawRow, RawValue, RowIssue, Scalar
from app.filing.parsers.columns import (
    LABEL_BY_FIELD,
    LIST_GROUPS,
    condition_field,
    list_field,
)
from app.registry import identifiers
from app.registry.codes import CONDITIONS, Condition
from app.registry.plans import Retiring
from app.registry.records import DependentData, HonorData, TalentData

T = TypeVar("T")
# Cell values that are never text, whatever their str() says.
_NOT_TEXT = (list, bool, datetime)


@dataclass(frozen=True)
class Retirement:
    """A valid `retire` row: take the person off the city's register."""

    id_number: str
    reason: str


# What a valid row files: the person's whole record (upsert), or their retirement.
FiledRow = TalentData | Retirement


def registry_form(record: FiledRow) -> TalentData | Retiring:
    """A valid row as the registry plans it (`plans.plan_filing`)."""
    return Retiring(record.reason) if isinstance(record, Retirement) else record


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class RowResult:
    """`record` is None when `errors` is not empty; `action` and `id_number` are set
    whenever they are valid, so the registry can still judge a row with other errors."""

    row: int
    record: FiledRow | None
    errors: list[RowError]
    id_number: str | None
    action: Action | None = None
    sheet_row: int | None = None  # the row's line in a spreadsheet or CSV file


def code_words(rows: Iterable[tuple[str, str | None, str]]) -> dict[str, str]:
    """The words a cell may hold for a list's active rows, (code, short name, Chinese name)
    each: every word to its code. A word two rows share stays with the earlier row."""
    words: dict[str, str] = {}
    for row in rows:
        for word in row:
            if word:
                words.setdefault(word, row[0])
    return words


def _seeded(kind: str) -> dict[str, str]:
    return code_words(
        (r["code"], r.get("short_name_zh"), r["name_zh"]) for r in reference_rows(kind)
    )


# The seeded lists (e.g. 退休、离开一线岗位、违法违纪、死亡、调离本省、其他); intake passes
# the province's active lists, which may hold more.
SEEDED_EXIT_REASONS = _seeded("exit-reasons")
SEEDED_CATEGORIES = _seeded("categories")
SEEDED_RELATIONS = _seeded("relations")
# 「其他：调往合肥」: an exit reason, then the city's own words.
_REASON_NOTE = re.compile("[：:]")


def validate_row(
    raw: RawRow,
    *,
    today: date,
    exit_reasons: Mapping[str, str] = SEEDED_EXIT_REASONS,
    categories: Mapping[str, str] = SEEDED_CATEGORIES,
    relations: Mapping[str, str] = SEEDED_RELATIONS,
) -> RowResult:
    """The mappings: each list's words to its codes (`code_words`)."""
    return _RowCheck(raw, today, exit_reasons, categories, relations).result()


def check_duplicates(results: Iterable[RowResult]) -> Iterator[RowResult]:
    """Pass results through, failing a row whose ID number an earlier row already used."""
    first_rows: dict[str, int] = {}
    for result in results:
        if result.id_number is not None:
            first = first_rows.setdefault(result.id_number, result.row)
            if first != result.row:
                message = f"身份证号与第{first}行重复，同一人在一个文件中只能出现一次"
                duplicate = RowError(result.row, "id_number", "duplicate_in_file", message)
                errors = [*result.errors, duplicate]
                result = dataclasses.replace(result, record=None, errors=errors)
        yield result


class _RowCheck:
    def __init__(
        self,
        raw: RawRow,
        today: date,
        exit_reasons: Mapping[str, str],
        categories: Mapping[str, str],
        relations: Mapping[str, str],
    ) -> None:
        self.raw = raw
        self.today = today
        self.exit_reasons = exit_reasons
        self.categories = categories
        self.relations = relations
        self.errors: list[RowError] = []

    def result(self) -> RowResult:
        for issue in self.raw.issues:
            self.shape_error(issue)
        action = self.choice("action", self.get("action"), cells.ACTION_WORDS, invalid_code=False)
        id_number = self.id_number("id_number", self.get("id_number"))
        record: FiledRow | None = None
        if action is Action.upsert:
            record = self.upsert(id_number)
        elif action is Action.retire:
            reason = self.text("reason", self.get("reason"), required=True)
            if reason is not None:
                self.exit_reason(reason)
            if id_number is not None and reason is not None:
                record = Retirement(id_number, reason)
        record = None if self.errors else record
        return RowResult(self.raw.row, record, self.errors, id_number, action, self.raw.sheet_row)

    def upsert(self, id_number: str | None) -> TalentData | None:
        """The record when every field is valid; otherwise None, with all errors noted."""

        def text(name: str, *, required: bool = False) -> str | None:
            return self.text(name, self.get(name), required=required)

        name, employer = text("name", required=True), text("employer", required=True)
        uscc = text("employer_uscc")
        uscc = uscc and self.uscc(uscc)
        occupation = text("occupation", required=True)
        skill_level = self.choice("skill_level", self.get("skill_level"), cells.SKILL_WORDS)
        card_no = text("card_no")
        frontline_since = self.year("frontline_since", self.get("frontline_since"))
        conditions: dict[str, tuple[bool, str | None]] = {
            condition: self.condition(condition) for condition in CONDITIONS
        }
        honors = tuple(self.honors())
        dependents = tuple(self.dependents(id_number))
        if (
            self.errors
            or id_number is None
            or name is None
            or employer is None
            or occupation is None
            or skill_level is None
        ):
            return None
        return TalentData(
            id_number=id_number,
            name=name,
            employer=employer,
            employer_uscc=uscc,
            occupation=occupation,
            skill_level=skill_level,
            card_no=card_no,
            frontline_since=frontline_since,
            conditions=conditions,
            honors=honors,
            dependents=dependents,
        )

    def condition(self, condition: Condition) -> tuple[bool, str | None]:
        met_field = condition_field(condition, "met")
        met = self.get(met_field)
        if not isinstance(met, bool):  # JSON and Excel booleans, else 是/否
            met = self.choice(met_field, met, cells.FLAG_WORDS, invalid_code=False) or False
        note_field = condition_field(condition, "note")
        return met, self.text(note_field, self.get(note_field))

    def honors(self) -> Iterator[HonorData]:
        for i, item in self.items("honors"):
            path, of = f"honors[{i}].", f"第{i + 1}项荣誉的"
            category = self.choice(
                path + "category", item["category"], self.categories, label=of + "人才类别"
            )
            title = self.text(path + "title", item["title"], label=of + "荣誉名称")
            by = self.text(path + "conferred_by", item["conferred_by"], label=of + "授予机关")
            year = self.honor_year(path + "year", item["year"], label=of + "授予年份")
            number = self.text(
                path + "certificate_no", item["certificate_no"], label=of + "证书编号"
            )
            # An honour is the evidence of a category: without these it proves nothing.
            for field, label, value in (
                ("title", "荣誉名称", item["title"]),
                ("conferred_by", "授予机关", item["conferred_by"]),
                ("year", "授予年份", item["year"]),
            ):
                if not cells.is_present(value):
                    self.error(
                        path + field,
                        "incomplete_honor",
                        f"{of}{label}不能为空：每项荣誉须写明荣誉名称、授予机关和授予年份",
                    )
            if category is not None:
                yield HonorData(category, title, by, year, number)

    def dependents(self, holder_id: str | None) -> Iterator[DependentData]:
        for i, item in self.items("dependents"):
            path, of = f"dependents[{i}].", f"第{i + 1}位家属的"
            relation = self.choice(
                path + "relation",
                item["relation"],
                self.relations,
                label=of + "关系",
                invalid_code=False,
            )
            id_number = self.id_number(path + "id_number", item["id_number"], of=of)
            if id_number is not None and id_number == holder_id:
                self.error(path + "id_number", "same_as_holder", f"{of}身份证号与本人相同")
            name = self.text(path + "name", item["name"], required=True, label=of + "姓名")
            if relation is not None and id_number is not None and name is not None:
                yield DependentData(relation, id_number, name)

    def items(self, group: str) -> list[tuple[int, dict[str, Scalar]]]:
        """The n-th cell of each column makes the n-th item; a blank column gives none."""
        keys, fields = LIST_GROUPS[group], _LIST_FIELDS[group]
        lists = [cells.as_list(self.get(field)) for field in fields]
        count = max(map(len, lists))
        wrong = [i for i, values in enumerate(lists) if len(values) not in (0, count)]
        for i in wrong:
            self.error(
                fields[i],
                "list_length_mismatch",
                f"「{LABEL_BY_FIELD[fields[i]]}」填写了{len(lists[i])}项，与同一行其他列的{count}项"
                "对不上；多项按顺序一一对应，用分号「;」分隔",
            )
        if wrong:
            return []
        columns = [values or [None] * count for values in lists]
        items = [dict(zip(keys, item, strict=True)) for item in zip(*columns, strict=True)]
        # An item blank in every column (as after a trailing separator) is no item.
        return [(i, it) for i, it in enumerate(items) if any(map(cells.is_present, it.values()))]

    def text(
        self,
        path: str,
        value: RawValue,
        *,
        required: bool = False,
        label: str | None = None,
        free: bool = True,
    ) -> str | None:
        # Called ~20 times a row: the common case (a string) goes first, labels only on error.
        if type(value) is str:
            text = value.strip()
        elif value is None:
            text = ""
        elif isinstance(value, _NOT_TEXT):
            message = f"{label or LABEL_BY_FIELD[path]}的内容类型不正确，应填写文字"
            self.error(path, "invalid_type", message)
            return None
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
        if not text:
            if required:
                self.error(path, "required", f"{label or LABEL_BY_FIELD[path]}不能为空")
            return None
        limit = _length_limit(path)
        if limit is not None and len(text) > limit:
            label = label or LABEL_BY_FIELD[path]
            self.error(path, "too_long", f"{label}超过{limit}个字（当前{len(text)}个字）")
        if free:
            try:
                check_free_text(text, multi_line=path.endswith(".note"))
            except TextError as exc:
                self.error(path, exc.code, f"{label or LABEL_BY_FIELD[path]}{exc.message_zh}")
                return None
        return text

    def choice(
        self,
        path: str,
        value: RawValue,
        words: Mapping[str, T],
        *,
        label: str | None = None,
        invalid_code: bool = True,
    ) -> T | None:
        """A code or its Chinese word; `invalid_code` for code lists, else `invalid_choice`."""
        label = label or LABEL_BY_FIELD[path]
        text = self.text(path, value, required=True, label=label)
        if text is None:
            return None
        found = words.get(text, words.get(text.lower()))
        if found is None:
            shown: dict[T, str] = {}  # one Chinese word of each choice: its first
            for word, choice in words.items():
                if not word.isascii():
                    shown.setdefault(choice, word)
            options = "、".join(f"「{w}」" for w in shown.values())
            code = "invalid_code" if invalid_code else "invalid_choice"
            self.error(path, code, f"{label}「{cells.quoted(text)}」无效，应填写{options}之一")
        return found

    def year(self, path: str, value: RawValue, *, label: str | None = None) -> int | None:
        label = label or LABEL_BY_FIELD[path]
        if not cells.is_present(value):
            return None
        year = cells.as_year(value)
        if year is None or not EARLIEST_YEAR <= year <= self.today.year:
            shown = cells.quoted(str(value))
            self.error(
                path,
                "invalid_year",
                f"{label}「{shown}」不是有效年份，应为{EARLIEST_YEAR}至{self.today.year}之间的四位数字",
            )
            return None
        return year

    def honor_year(self, path: str, value: RawValue, *, label: str) -> int | None:
        """The year an honour was conferred: from 1949 to the filing year."""
        if not cells.is_present(value):
            return None
        year = cells.as_year(value)
        if year is None or not EARLIEST_HONOR_YEAR <= year <= self.today.year:
            shown = cells.quoted(str(value))
            self.error(
                path,
                "invalid_honor_year",
                f"{label}「{shown}」无效，应为{EARLIEST_HONOR_YEAR}至{self.today.year}之间的四位数字",
            )
            return None
        return year

    def id_number(self, path: str, value: RawValue, *, of: str = "") -> str | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.error(
                path,
                "invalid_id_number",
                f"{of}身份证号被存成了数字，Excel 会丢掉末几位；请把该列设为「文本」格式后重新填写",
            )
            return None
        text = self.text(path, value, required=True, label=f"{of}身份证号", free=False)
        if text is None:
            return None
        try:
            return identifiers.validate_id_number(text, today=self.today)
        except identifiers.InvalidIdNumber as exc:
            self.error(
                path, exc.code, f"{of}{exc.message_zh}（{identifiers.mask_id_number(text)}）"
            )
            return None

    def uscc(self, text: str) -> str | None:
        try:
            return identifiers.validate_uscc(text)
        except identifiers.InvalidUscc as exc:
            self.error("employer_uscc", exc.code, exc.message_zh)
            return None

    def shape_error(self, issue: RowIssue) -> None:
        # A JSON key is the file's text: it could be anything, an ID number included.
        path = cells.quoted(issue.field)
        if issue.code == "unknown_field":
            message = f"无法识别的字段「{path}」，请对照备案文件格式检查拼写"
        elif issue.field:
            message = f"字段「{path}」的内容类型不正确"
        else:
            message = "这条记录不是 JSON 对象"
        self.error(path, issue.code, message)

    def get(self, name: str) -> RawValue:
        return self.raw.fields.get(name)

    def exit_reason(self, reason: str) -> None:
        """The reason opens with an exit reason of the list, code or label, and may go on
        after a colon in the city's own words."""
        word = _REASON_NOTE.split(reason, maxsplit=1)[0].strip()
        if word not in self.exit_reasons:
            labels = "、".join(w for w, c in self.exit_reasons.items() if w != c)
            message = (
                f"退出原因「{cells.quoted(word)}」不在本省退出原因清单中，应为：{labels}"
                "（可在其后加冒号写明情况，如「其他：调往合肥」）"
            )
            self.error("reason", "invalid_exit_reason", message)

    def error(self, path: str, code: str, message: str) -> None:
        self.errors.append(RowError(self.raw.row, path, code, message))


# Each list's fields (`honors[].title`), in the order of its keys.
_LIST_FIELDS = {
    group: tuple(list_field(group, k) for k in keys) for group, keys in LIST_GROUPS.items()
}


@functools.cache
def _length_limit(path: str) -> int | None:
    """The longest text a field takes, by its last name (`honors[2].title` -> title)."""
    return MAX_LENGTH.get(path.rsplit(".", 1)[-1])
