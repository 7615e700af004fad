"""The talent list as the XLSX a province or city clerk files away: Chinese headers, one
row per record, the ID number masked."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.reference import short_name_zh
from app.registry.codes import SKILL_LEVEL_ZH
from app.registry.review_export import table_xlsx
from app.registry.schemas import TalentListItem

HEADERS = (
    "序号",
    "姓名",
    "身份证号（脱敏）",
    "设区市",
    "工作单位",
    "职业（工种）",
    "技能等级",
    "人才类别",
    "在册状态",
    "特殊标识",
    "有效期至",
    "最近备案",
)
MARKER_ZH = {
    "active": "有效",
    "suspended": "已暂停",
    "revoked": "已撤销",
    "expired": "已过期",
}


def talents_xlsx(title: str, items: Sequence[TalentListItem]) -> bytes:
    rows = [
        (
            number,
            item.name,
            item.id_number_masked,
            item.city_name,
            item.employer,
            item.occupation,
            SKILL_LEVEL_ZH[item.skill_level],
            "、".join(short_name_zh("categories", c) for c in item.categories),
            "已退出" if item.status == "retired" else "在册",
            MARKER_ZH.get(item.marker_status or "", "无标识"),
            item.marker_valid_until.isoformat() if item.marker_valid_until else "",
            item.filed_on.isoformat(),
        )
        for number, item in enumerate(items, start=1)
    ]
    return table_xlsx(title, HEADERS, rows, sheet_title="人才名录")
