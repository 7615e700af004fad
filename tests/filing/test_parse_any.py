"""What holds for every format: file types, extensions, flat memory."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from app.filing.parsers import FileFormatError, parse_upload
from app.filing.parsers.columns import HEADERS
from tests.filing.parser_files import (
    HEADER,
    HOLDER,
    ROW,
    read,
    write_csv,
)


@pytest.mark.parametrize("name", ["city.txt", "city", "city.json.exe", "city.xlsm"])
def test_other_file_types_are_unsupported(name: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        parse_upload(io.BytesIO(b"{}"), name)

    assert caught.value.code == "unsupported_file_type"
    assert ".xlsx" in caught.value.message_zh


def test_extension_case_does_not_matter(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "CITY.CSV", [HEADER, ROW])

    assert len(read(path)[1]) == 1


def _peak_while_reading(path: Path) -> int:
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            for _ in parse_upload(stream, path.name):
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_csv_and_json_grow(tmp_path: Path) -> None:
    count = 500
    csv_path = write_csv(tmp_path / "big.csv", [HEADERS_ROW, *([*ROW_FULL] for _ in range(count))])
    json_path = tmp_path / "big.json"
    with json_path.open("w", encoding="utf-8") as file:
        file.write('{"records": [')
        file.write(",".join(json.dumps(RECORD, ensure_ascii=False) for _ in range(count)))
        file.write("]}")
    assert csv_path.stat().st_size > 8 * 1024 * 1024
    assert json_path.stat().st_size > 8 * 1024 * 1024

    assert _peak_while_reading(csv_path) < 2 * 1024 * 1024
    assert _peak_while_reading(json_path) < 2 * 1024 * 1024


HEADERS_ROW = list(HEADERS)
ROW_FULL = [f"单元格内容{i}" * 50 for i in range(len(HEADERS))]
RECORD = {
    "action": "upsert",
    "id_number": HOLDER,
    "name": "张三",
    "employer": "合肥示例精密机械有限公司" * 4,
    "occupation": "数控车工",
    "skill_level": "technician",
    "conditions": {c: {"met": True, "note": "说明" * 600} for c in ("contribution", "frontline")},
    "honors": [{"category": "功勋荣誉", "title": "荣誉" * 600, "year": 2015}] * 3,
}
