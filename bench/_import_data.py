"""The import benchmark's records: deterministic, distinct, fictitious people of one city.

`records(seed, rows)` yields the same records every time, so the floor can rebuild the rows
a file holds without reading it. With `bad_every`, every n-th record is spoiled in one of
four ways a clerk's file goes wrong (bad check character, missing name, unknown skill
level, impossible year).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.demo.fakes import fake_talent_record

CITY = "340100"
INELIGIBLE_SHARE = 0.1


def records(seed: int, rows: int, *, bad_every: int | None = None) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    seen: set[str] = set()
    count = 0
    while count < rows:
        record = fake_talent_record(rng, city_code=CITY, eligible=rng.random() > INELIGIBLE_SHARE)
        if record["id_number"] in seen:
            continue
        seen.add(record["id_number"])
        if bad_every and count % bad_every == bad_every - 1:
            record = _spoiled(record, count // bad_every)
        count += 1
        yield record


def write_json(path: Path, seed: int, rows: int, *, bad_every: int | None = None) -> Path:
    """A submission file, written record by record (memory stays small)."""
    with path.open("w", encoding="utf-8") as file:
        file.write('{"records": [\n')
        for i, record in enumerate(records(seed, rows, bad_every=bad_every)):
            file.write(("," if i else "") + json.dumps(record, ensure_ascii=False) + "\n")
        file.write("]}\n")
    return path


def _spoiled(record: dict[str, Any], which: int) -> dict[str, Any]:
    kind = which % 4
    if kind == 0:
        number = record["id_number"]
        return {**record, "id_number": number[:-1] + ("0" if number[-1] != "0" else "1")}
    if kind == 1:
        return {**record, "name": ""}
    if kind == 2:
        return {**record, "skill_level": "master"}
    return {**record, "frontline_since": 3000}
