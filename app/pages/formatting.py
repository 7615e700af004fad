"""Jinja filters: codes to their Chinese names, dates in Beijing time, and the
`field -> [before, after]` changes of records and previews in words a clerk reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from app.core.reference import city_names, name_zh, short_name_zh

# China keeps one offset all year; a fixed zone needs no tz database.
BEIJING = timezone(timedelta(hours=8), "CST")

CONDITION_SHORT = {
    "contribution": "突出贡献",
    "skill_performance": "技艺业绩",
    "frontline": "一线坚守",
}
MARKER_STATUS_ZH = {
    "active": "有效",
    "suspended": "已暂停",
    "revoked": "已撤销",
    "expired": "已过期",
}
RECORD_STATUS_ZH = {"filed": "在册", "retired": "已退出"}
_FIELD_LABELS = {
    "id_number": "身份证号",
    "name": "姓名",
    "employer": "工作单位",
    "employer_uscc": "统一社会信用代码",
    "occupation": "职业（工种）",
    "skill_level": "技能等级",
    "card_no": "蓝卡卡号",
    "frontline_since": "一线工作起始年份",
    "honors": "荣誉",
    "dependents": "登记家属",
    "status": "在册状态",
    "city_code": "设区市",
    "retired_reason": "退出原因",
    "marker.code": "标识编码",
    "marker.status": "标识状态",
    "marker.valid_until": "标识有效期至",
    "marker.reason": "标识变更原因",
}


def city(code: str | None) -> str:
    return city_names().get(code or "", code or "—")


def category_short(code: str) -> str:
    return short_name_zh("categories", code)


def local_datetime(value: datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else "—"


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(BEIJING).date()
    return value.isoformat()


def date_zh(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def field_label(key: str) -> str:
    if key.startswith("conditions."):
        _, condition, part = [*key.split("."), "", ""][:3]
        what = "是否符合" if part == "met" else "说明"
        return f"{CONDITION_SHORT.get(condition, condition)}·{what}"
    return _FIELD_LABELS.get(key, key)


def change_value(key: str, value: Any) -> str:
    """One side of a change, in words; ID numbers arrive already masked."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "skill_level":
        return name_zh("skill-levels", str(value))
    if key == "city_code":
        return city(str(value))
    if key == "status":
        return RECORD_STATUS_ZH.get(str(value), str(value))
    if key == "marker.status":
        return MARKER_STATUS_ZH.get(str(value), str(value))
    if key == "honors" and isinstance(value, list):
        return "；".join(_honor_text(h) for h in value)
    if key == "dependents" and isinstance(value, list):
        return "；".join(_dependent_text(d) for d in value)
    return str(value)


def _honor_text(honor: dict[str, Any]) -> str:
    parts = [category_short(str(honor.get("category", "")))]
    if honor.get("title"):
        parts.append(f"“{honor['title']}”")
    if honor.get("year"):
        parts.append(f"{honor['year']}年")
    return " ".join(parts)


def _dependent_text(dependent: dict[str, Any]) -> str:
    relation = name_zh("relations", str(dependent.get("relation", "")))
    return f"{relation} {dependent.get('name', '')} {dependent.get('id_number', '')}".strip()


FILTERS = {
    "city": city,
    "category": lambda code: name_zh("categories", code),
    "category_short": category_short,
    "service": lambda code: name_zh("services", code),
    "skill_level": lambda code: name_zh("skill-levels", code),
    "condition": lambda code: name_zh("conditions", code),
    "relation": lambda code: name_zh("relations", code),
    "marker_status": lambda code: MARKER_STATUS_ZH.get(code or "", "无标识"),
    "record_status": lambda code: RECORD_STATUS_ZH.get(code, code),
    "local_datetime": local_datetime,
    "local_date": local_date,
    "date_zh": date_zh,
    "field_label": field_label,
}
