"""The seed files parse, agree with the registry's codes and say what the notice says."""

from __future__ import annotations

import calendar
import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.access.codes import Service
from app.core.reference import REFERENCE_KINDS, SEED_DIR
from app.demo.fakes import COUNTY_CODES
from app.registry.codes import CATEGORY_SHORT_ZH, RELATION_ZH, SKILL_LEVEL_ZH, Category, Condition

REFERENCE_DIR = SEED_DIR / "reference"
SHARED_CITIES = Path("/work/shared/data/anhui-cities.csv")
# GB/T 2260: the province and its 16 prefecture-level cities.
ANHUI_CITIES = {
    "340000": "安徽省",
    "340100": "合肥市",
    "340200": "芜湖市",
    "340300": "蚌埠市",
    "340400": "淮南市",
    "340500": "马鞍山市",
    "340600": "淮北市",
    "340700": "铜陵市",
    "340800": "安庆市",
    "341000": "黄山市",
    "341100": "滁州市",
    "341200": "阜阳市",
    "341300": "宿州市",
    "341500": "六安市",
    "341600": "亳州市",
    "341700": "池州市",
    "341800": "宣城市",
}
DEADLINE_KINDS = {"fixed_date", "long_term", "yearly_by_month", "event_dependent"}


def read_reference(kind: str) -> list[dict[str, str]]:
    raw = (REFERENCE_DIR / f"{kind}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    return list(csv.DictReader(raw.decode("utf-8").splitlines()))


def zh_names(kind: str) -> dict[str, str]:
    return {row["code"]: row["name_zh"] for row in read_reference(kind)}


def test_reference_folder_holds_exactly_the_served_kinds() -> None:
    assert {path.stem for path in REFERENCE_DIR.iterdir()} == set(REFERENCE_KINDS)


@pytest.mark.parametrize("kind", REFERENCE_KINDS)
def test_reference_file_parses_with_unique_codes_and_no_blank_cells(kind: str) -> None:
    rows = read_reference(kind)
    assert rows
    assert list(rows[0])[:3] == ["code", "name_zh", "name_en"]
    assert all(None not in row and None not in row.values() for row in rows), "ragged row"
    assert all(value and value.strip() == value for row in rows for value in row.values())
    assert len({row["code"] for row in rows}) == len(rows)
    assert len({row["name_zh"] for row in rows}) == len(rows)


def test_cities_are_the_province_and_its_sixteen_cities() -> None:
    assert zh_names("cities") == ANHUI_CITIES
    assert set(COUNTY_CODES) == set(ANHUI_CITIES) - {"340000"}


@pytest.mark.skipif(not SHARED_CITIES.exists(), reason="the shared data folder is not here")
def test_cities_file_is_the_shared_file_unchanged() -> None:
    assert (REFERENCE_DIR / "cities.csv").read_bytes() == SHARED_CITIES.read_bytes()


def test_codes_match_the_registry_enums_in_order() -> None:
    assert list(zh_names("conditions")) == list(Condition)
    assert list(zh_names("categories")) == list(Category)
    assert list(zh_names("services")) == list(Service)


def test_categories_carry_the_contract_short_names() -> None:
    rows = read_reference("categories")
    assert {row["code"]: row["short_name_zh"] for row in rows} == CATEGORY_SHORT_ZH


def test_skill_levels_and_relations_have_the_contract_names() -> None:
    assert zh_names("skill-levels") == SKILL_LEVEL_ZH
    assert zh_names("relations") == RELATION_ZH


def load_tasks() -> Any:
    with (SEED_DIR / "tasks.json").open(encoding="utf-8") as f:
        return json.load(f)


def test_tasks_are_the_twenty_five_rows_of_the_table_in_order() -> None:
    document = load_tasks()
    assert document["source"]
    tasks = document["tasks"]
    assert [task["number"] for task in tasks] == list(range(1, 26))
    for task in tasks:
        assert task["task"]
        assert task["lead_units"]
        assert all(unit and unit in task["lead_units_text"] for unit in task["lead_units"])
        assert all(unit in task["cooperating_units_text"] for unit in task["cooperating_units"])


def test_task_deadlines_agree_with_their_text() -> None:
    tasks = load_tasks()["tasks"]
    for task in tasks:
        kind, text = task["deadline_kind"], task["deadline_text"]
        assert kind in DEADLINE_KINDS
        assert ("deadline_date" in task) == (kind == "fixed_date")
        assert ("deadline_month" in task) == (kind == "yearly_by_month")
        if kind == "fixed_date":
            due = date.fromisoformat(task["deadline_date"])
            assert due.day == calendar.monthrange(due.year, due.month)[1]
            assert text == f"{due.year}年{due.month}月底前"
        elif kind == "yearly_by_month":
            assert 1 <= task["deadline_month"] <= 12
            assert text == f"每年{task['deadline_month']}月底前"
        elif kind == "long_term":
            assert text == "长期"
        else:
            assert text.startswith("根据")


def test_task_five_is_the_blue_card_marker_due_end_of_2018() -> None:
    tasks = load_tasks()["tasks"]
    marker_task = tasks[4]
    assert "特殊标识" in marker_task["task"]
    assert marker_task["lead_units"] == ["省人力资源社会保障厅"]
    assert marker_task["cooperating_units"] == ["省教育厅", "省住建厅", "省公安厅", "省卫计委"]
    assert marker_task["deadline_date"] == "2018-12-31"
