"""The figures as titled tables with Chinese headers: one shape for the statistics page
(each table beside its chart) and for the period report's sheets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.access.auth import Principal
from app.core.reference import city_names, name_zh, short_name_zh
from app.filing.calendar import Calendar
from app.registry.statistics import CHANGE_KINDS, RegistryFigures
from app.statistics.activity import (
    LookupCount,
    applications_by_status,
    assistance_by_city,
    studios_by_batch_year,
)
from app.studios.constants import STATUS_ZH

Cell = str | int

MARKER_STATES_ZH = {
    "active": "有效",
    "suspended": "已暂停",
    "revoked": "已撤销",
    "withdrawn": "已收回",
    "expired": "已过期",
}
CHANGES_ZH = {
    "granted": "授予",
    "reinstated": "恢复",
    "suspended": "暂停",
    "revoked": "撤销",
    "withdrawn": "收回",
    "expired": "到期",
}
OUTCOMES_ZH = {"priority": "享受优先", "no_priority": "不享受优先", "invalid": "号码无效"}
STANDINGS_ZH = {"filed": "已报送", "waiting": "待审核", "open": "未报送", "overdue": "逾期未报"}
FILING_STATUS_ZH = {
    "none": "本期无报送",
    "validated": "已校验，待提交",
    "invalid": "校验未通过",
    "pending_review": "待省级审核",
    "applied": "已备案",
    "rejected": "已退回",
}


@dataclass(frozen=True)
class Table:
    key: str  # a stable id (page anchors, test hooks)
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    # Charted as bars: the first column labels, each further column a series.
    chart: bool = True
    note: str | None = None


def registry_tables(figures: RegistryFigures, caller: Principal) -> list[Table]:
    cities = [(code, name) for code, name in city_names().items() if caller.sees_city(code)]
    states = figures.by_marker_state
    return [
        Table(
            "holders-by-city",
            "持有效标识人数（按设区市）",
            ["设区市", "人数"],
            [[name, figures.by_city.get(code, 0)] for code, name in cities],
        ),
        Table(
            "holders-by-category",
            "持有效标识人数（按荣誉类别）",
            ["荣誉类别", "人数"],
            [[_category(code), n] for code, n in sorted(figures.by_category.items())],
            note="同时获得两类荣誉的人在每一类中各计一次。",
        ),
        Table(
            "holders-by-skill-level",
            "持有效标识人数（按技能等级）",
            ["技能等级", "人数"],
            [[name_zh("skill-levels", c), n] for c, n in sorted(figures.by_skill_level.items())],
        ),
        Table(
            "holders-by-occupation",
            "持有效标识人数（按职业工种）",
            ["职业（工种）", "人数"],
            sorted(([k, n] for k, n in figures.by_occupation.items()), key=lambda r: -int(r[1])),
            note="统一社会信用代码不含行业信息，行业以职业（工种）代替。",
        ),
        Table(
            "markers-by-state",
            "特殊标识（按当前状态）",
            ["状态", "数量"],
            [[label, states.get(code, 0)] for code, label in MARKER_STATES_ZH.items()],
            note="“已收回”指因不再符合条件（备案变更、退出等）而收回的标识。",
        ),
    ]


def changes_table(months: dict[str, dict[str, int]]) -> Table:
    return Table(
        "marker-changes",
        "特殊标识变动（按月）",
        ["月份", *(CHANGES_ZH[kind] for kind in CHANGE_KINDS)],
        [
            [month, *(counts.get(kind, 0) for kind in CHANGE_KINDS)]
            for month, counts in months.items()
        ],
        note="“到期”按有效期届满次日计入。",
    )


def lookup_tables(counts: list[LookupCount]) -> list[Table]:
    by_month: dict[str, Counter[str]] = {}
    for row in counts:
        by_month.setdefault(row.month, Counter())[row.outcome] += row.count
    return [
        Table(
            "lookups-by-month",
            "优先服务查询次数（按月、结果）",
            ["月份", *OUTCOMES_ZH.values()],
            [[m, *(c.get(o, 0) for o in OUTCOMES_ZH)] for m, c in sorted(by_month.items())],
        ),
        Table(
            "lookups-by-partner",
            "优先服务查询明细（按月、查询方、服务、结果）",
            ["月份", "查询方", "服务", "结果", "次数"],
            [
                [
                    r.month,
                    r.caller_name,
                    name_zh("services", r.service),
                    _outcome(r.outcome),
                    r.count,
                ]
                for r in counts
            ],
            chart=False,
        ),
    ]


def activity_tables(session: Session, caller: Principal) -> list[Table]:
    cases = assistance_by_city(session, caller)
    applications = applications_by_status(session, caller)
    return [
        Table(
            "assistance-by-city",
            "家属就业帮扶记录（按设区市）",
            ["设区市", "帮扶中", "已办结"],
            [
                [city_names().get(code, code), c.get("open", 0), c.get("closed", 0)]
                for code, c in cases.items()
            ],
        ),
        Table(
            "applications-by-status",
            "工作室申报（按状态）",
            ["状态", "数量"],
            [[label, applications.get(status, 0)] for status, label in STATUS_ZH.items()],
        ),
        Table(
            "studios-by-year",
            "已命名工作室（按批次年度）",
            ["批次年度", "数量"],
            [[f"{year}年", n] for year, n in studios_by_batch_year(session, caller).items()],
        ),
    ]


def filing_table(calendar: Calendar, today_standing: dict[str, str]) -> Table:
    return Table(
        "filing-by-city",
        f"{calendar.period} 数据报送情况（截止日期 {calendar.deadline.isoformat()}）",
        ["设区市", "报送情况", "最近一次报送状态"],
        [
            [
                city.city_name,
                STANDINGS_ZH[today_standing[city.city_code]],
                FILING_STATUS_ZH.get(city.status, city.status),
            ]
            for city in calendar.cities
        ],
        chart=False,
    )


def _category(code: str) -> str:
    return short_name_zh("categories", code)


def _outcome(code: str) -> str:
    return OUTCOMES_ZH.get(code, code)
