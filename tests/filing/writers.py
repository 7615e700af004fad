"""Real submission files for the API tests: contract JSON records written as JSON, CSV
(UTF-8, UTF-8 with BOM, GB18030) or XLSX, as a city's system or Excel would save them."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from app.demo.fakes import fake_talent_record
from app.filing.file_format import ACTION_ZH, Action
from app.filing.parsers.columns import COLUMNS, NO, YES
from app.registry.codes import CATEGORY_SHORT_ZH, RELATION_ZH, SKILL_LEVEL_ZH

Record = dict[str, Any]


def people(seed: int, count: int, *, city_code: str, eligible: bool = True) -> list[Record]:
    """`count` distinct fictitious people of a city, in the contract's JSON format."""
    rng = random.Random(seed)
    records: list[Record] = []
    seen: set[str] = set()
    while len(records) < count:
        record = fake_talent_record(rng, city_code=city_code, eligible=eligible)
        if record["id_number"] not in seen:
            seen.add(record["id_number"])
            records.append(record)
    return records


def retire(id_number: str, reason: str = "退休") -> Record:
    return {"action": "retire", "id_number": id_number, "reason": reason}


def write_json(path: Path, records: Sequence[Record]) -> Path:
    path.write_text(json.dumps({"records": list(records)}, ensure_ascii=False), encoding="utf-8")
    return path


def write_csv(path: Path, records: Sequence[Record], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file)
        writer.writerow([column.header for column in COLUMNS])
        writer.writerows(tabular_row(record) for record in records)
    return path


def write_xlsx(path: Path, records: Sequence[Record]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([column.header for column in COLUMNS])
    for record in records:
        sheet.append(tabular_row(record))
    workbook.save(path)
    return path


WRITERS: dict[str, Callable[[Path, Sequence[Record]], Path]] = {
    "json": lambda path, records: write_json(path.with_suffix(".json"), records),
    "csv-utf8": lambda path, records: write_csv(path.with_suffix(".csv"), records),
    "csv-utf8-bom": lambda path, records: write_csv(
        path.with_suffix(".csv"), records, encoding="utf-8-sig"
    ),
    "csv-gb18030": lambda path, records: write_csv(
        path.with_suffix(".csv"), records, encoding="gb18030"
    ),
    "xlsx": lambda path, records: write_xlsx(path.with_suffix(".xlsx"), records),
}


def tabular_row(record: Record) -> list[str]:
    """A record as the cells of one spreadsheet row, in Chinese words where a clerk uses them."""
    cells = _tabular_cells(record)
    return [cells.get(column.field, "") for column in COLUMNS]


def _tabular_cells(record: Record) -> dict[str, str]:
    cells = {"action": ACTION_ZH[Action(record["action"])], "id_number": record["id_number"]}
    if record["action"] == "retire":
        cells["reason"] = record["reason"]
        return cells
    for name in ("name", "employer", "employer_uscc", "occupation", "card_no"):
        cells[name] = record.get(name) or ""
    # A bad code stays as it is, for the error tests.
    level_names = {level.value: zh for level, zh in SKILL_LEVEL_ZH.items()}
    cells["skill_level"] = level_names.get(record["skill_level"], record["skill_level"])
    cells["frontline_since"] = str(record.get("frontline_since") or "")
    for code, condition in record["conditions"].items():
        cells[f"conditions.{code}.met"] = YES if condition["met"] else NO
        cells[f"conditions.{code}.note"] = condition.get("note") or ""
    honors = record.get("honors", [])
    for key in ("title", "conferred_by", "year", "certificate_no"):
        cells[f"honors[].{key}"] = ";".join(str(h.get(key) or "") for h in honors)
    # A word of a list the province extended stays as it is, as a clerk would type it.
    category_names = {category.value: zh for category, zh in CATEGORY_SHORT_ZH.items()}
    cells["honors[].category"] = "；".join(
        category_names.get(h["category"], h["category"]) for h in honors
    )
    dependents = record.get("dependents", [])
    relation_names = {relation.value: zh for relation, zh in RELATION_ZH.items()}
    cells["dependents[].relation"] = ";".join(
        relation_names.get(d["relation"], d["relation"]) for d in dependents
    )
    cells["dependents[].id_number"] = ";".join(d["id_number"] for d in dependents)
    cells["dependents[].name"] = ";".join(d["name"] for d in dependents)
    return cells
