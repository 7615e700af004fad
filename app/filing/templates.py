"""The blank submission templates a city downloads: CSV and XLSX, one sample row each.

Headers come from `parsers/columns.py`, the table the parsers read, so the templates always
parse back. The sample person is fictitious; the ID numbers have valid check characters
(computed, not typed) so the sample row passes validation as a worked example.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection

from app.core.reference import codes_of, reference_rows
from app.filing.file_format import ACTION_ZH, Action
from app.filing.parsers.columns import COLUMNS, HEADERS, LIST_SEPARATORS, NO, REQUIRED_HEADERS, YES
from app.registry.codes import (
    CATEGORY_SHORT_ZH,
    RELATION_ZH,
    SKILL_LEVEL_ZH,
    Category,
    Relation,
    SkillLevel,
)
from app.registry.identifiers import id_check_character

DATA_SHEET = "备案数据"
LEGEND_SHEET = "填写说明"
# A legend's table: its title, and (Chinese word, code) of each entry.
CodeTable = tuple[str, Sequence[tuple[str, str]]]
# Cells Excel must keep as typed: long digit strings would lose digits as numbers.
TEXT_FIELDS = frozenset({"id_number", "employer_uscc", "card_no", "dependents[].id_number"})


def _id_number(first17: str) -> str:
    return first17 + id_check_character(first17)


_SAMPLE_CATEGORIES = (Category.national_technical_expert, Category.special_allowance)
SAMPLE: dict[str, str | int] = {
    "action": ACTION_ZH[Action.upsert],
    "id_number": _id_number("34010019850315003"),
    "name": "张三",
    "employer": "合肥示例精密机械有限公司",
    "employer_uscc": "91340100MA2N0A1B25",
    "occupation": "数控车工",
    "skill_level": SKILL_LEVEL_ZH[SkillLevel.senior_technician],
    "card_no": "",
    "frontline_since": 2004,
    "conditions.contribution.met": YES,
    "conditions.contribution.note": "主持完成关键零部件加工工艺攻关，年节约成本300万元",
    "conditions.skill_performance.met": YES,
    "conditions.skill_performance.note": "获全国数控技能大赛一等奖",
    "conditions.frontline.met": YES,
    "conditions.frontline.note": "2004年起在车间一线从事数控加工",
    "honors[].category": ";".join(
        CATEGORY_SHORT_ZH[c]
        for c in (Category.national_technical_expert, Category.special_allowance)
    ),
    "honors[].title": "全国技术能手;享受省政府特殊津贴",
    "honors[].conferred_by": "人力资源社会保障部;安徽省人民政府",
    "honors[].year": "2015;2018",
    "honors[].certificate_no": "JN2015-0001;TJ2018-0002",
    "dependents[].relation": RELATION_ZH[Relation.child],
    "dependents[].id_number": _id_number("34010020120601004"),
    "dependents[].name": "张小明",
    "reason": "",
}


def template_csv() -> bytes:
    """UTF-8 with a BOM, which Excel needs to open Chinese text correctly."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerow([SAMPLE[column.field] for column in COLUMNS])
    return text.getvalue().encode("utf-8-sig")


def template_xlsx(connection: Connection | None = None) -> bytes:
    """The legend lists the categories and relations active on `connection`'s database (the
    province may have added some), else the seed's."""
    workbook = Workbook()
    data = workbook.active
    assert isinstance(data, Worksheet)
    data.title = DATA_SHEET
    _write_data_sheet(data)
    tables = (
        *_CODE_TABLES,
        ("人才类别", _legend(connection, "categories")),
        ("家属关系", _legend(connection, "relations")),
    )
    _write_legend(workbook.create_sheet(LEGEND_SHEET), tables)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_data_sheet(sheet: Worksheet) -> None:
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(12, 2 * len(column.header) + 4)
        if column.field in TEXT_FIELDS:
            dimension.number_format = "@"  # the whole column, for the rows the city adds
        head = sheet.cell(row=1, column=index, value=column.header)
        head.fill = header_fill
        if column.header in REQUIRED_HEADERS:
            head.font = Font(bold=True)
        sample = sheet.cell(row=2, column=index, value=SAMPLE[column.field] or None)
        if column.field in TEXT_FIELDS:
            sample.number_format = "@"
    sheet.freeze_panes = "A2"


def _legend(connection: Connection | None, kind: str) -> list[tuple[str, str]]:
    """(Chinese word, code) of each active row; a category's word is its short name."""
    if connection is None:
        return [(r.get("short_name_zh") or r["name_zh"], r["code"]) for r in reference_rows(kind)]
    rows = codes_of(connection, kind)
    return [(r.short_name_zh or r.name_zh, r.code) for r in rows if r.active]


def _write_legend(sheet: Worksheet, tables: Sequence[CodeTable]) -> None:
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    row = 1
    for term, rule in _RULES:
        sheet.cell(row=row, column=1, value=term).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=rule).alignment = Alignment(wrap_text=True)
        row += 1
    for title, words in tables:
        row += 1
        sheet.cell(row=row, column=1, value=title).font = Font(bold=True)
        sheet.cell(row=row, column=2, value="代码（中文或代码都可填写）").font = Font(bold=True)
        for word, code in words:
            row += 1
            sheet.cell(row=row, column=1, value=word)
            sheet.cell(row=row, column=2, value=code)


_SEPARATORS = "或".join(f"「{separator}」" for separator in LIST_SEPARATORS)
_RULES = (
    ("每行一人", "第一张工作表每行填写一人，第一行为表头；列的顺序可以调整，空白的选填项可以不填"),
    (
        "必填",
        "「操作」「身份证号」两列必须有。新增或更新时还须填写姓名、工作单位、职业工种、"
        "技能等级和三项条件；退出时须填写退出原因",
    ),
    ("身份证号", "18位，末位可以是X。请保持该列为「文本」格式，否则 Excel 会丢失末几位数字"),
    (
        "多项内容",
        f"一人有多项荣誉或多名家属时，在同一单元格内用分号{_SEPARATORS}分隔；"
        "各荣誉列（或各家属列）的第n项共同组成第n项荣誉（或第n名家属），项数须一致",
    ),
    ("年份", "一线工作起始年份、授予年份填写四位数字年份，如 2015"),
    ("突出贡献 / 技艺业绩 / 一线坚守", f"是否满足该项条件，填写「{YES}」或「{NO}」"),
)
_CODE_TABLES: tuple[CodeTable, ...] = (
    ("操作", [(ACTION_ZH[action], action.value) for action in Action]),
    ("技能等级", [(zh, level.value) for level, zh in SKILL_LEVEL_ZH.items()]),
)
