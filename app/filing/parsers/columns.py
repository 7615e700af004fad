"""The one table of the tabular (CSV/XLSX) format: header cells, field names, list cells.

The parsers read headers through it and the templates write headers from it, in this order.
Field names are the contract's paths: `conditions.frontline.met`, `honors[].year`.
"""

from __future__ import annotations

from dataclasses import dataclass

YES = "是"
NO = "否"
# A cell holding several honours or dependents separates them with either semicolon.
LIST_SEPARATORS = (";", "；")
REQUIRED_HEADERS = ("操作", "身份证号")


@dataclass(frozen=True)
class Column:
    header: str
    field: str

    @property
    def is_list(self) -> bool:
        return "[]" in self.field


COLUMNS: tuple[Column, ...] = (
    Column("操作", "action"),
    Column("身份证号", "id_number"),
    Column("姓名", "name"),
    Column("工作单位", "employer"),
    Column("统一社会信用代码", "employer_uscc"),
    Column("职业工种", "occupation"),
    Column("技能等级", "skill_level"),
    Column("蓝卡卡号", "card_no"),
    Column("一线工作起始年份", "frontline_since"),
    Column("突出贡献", "conditions.contribution.met"),
    Column("突出贡献说明", "conditions.contribution.note"),
    Column("技艺业绩", "conditions.skill_performance.met"),
    Column("技艺业绩说明", "conditions.skill_performance.note"),
    Column("一线坚守", "conditions.frontline.met"),
    Column("一线坚守说明", "conditions.frontline.note"),
    Column("人才类别", "honors[].category"),
    Column("荣誉名称", "honors[].title"),
    Column("授予机关", "honors[].conferred_by"),
    Column("授予年份", "honors[].year"),
    Column("证书编号", "honors[].certificate_no"),
    Column("家属关系", "dependents[].relation"),
    Column("家属身份证号", "dependents[].id_number"),
    Column("家属姓名", "dependents[].name"),
    Column("退出原因", "reason"),
)

HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
COLUMN_BY_HEADER: dict[str, Column] = {column.header: column for column in COLUMNS}
LABEL_BY_FIELD: dict[str, str] = {column.field: column.header for column in COLUMNS}

SCALAR_FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if "." not in c.field)
# The keys of one item of each list, in column order: honours and dependents.
LIST_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(
        c.field.removeprefix(f"{group}[].") for c in COLUMNS if c.field.startswith(f"{group}[].")
    )
    for group in ("honors", "dependents")
}


def list_field(group: str, key: str) -> str:
    return f"{group}[].{key}"


def condition_field(condition: str, key: str) -> str:
    return f"conditions.{condition}.{key}"
