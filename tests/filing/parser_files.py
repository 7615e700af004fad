"""Real submission files for the parser tests: written to disk here, read back."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl
import pytest
import segno

from app.filing.parsers import FileFormatError, RawRow, parse_upload
from app.registry.identifiers import id_check_character

FILES = Path(__file__).parent / "files"


def valid_id(first17: str) -> str:
    return first17 + id_check_character(first17)


HOLDER = valid_id("34010219800101002")
CHILD = valid_id("34010220100905003")
RETIRED = "340202197506210018"  # in files/contract_example.json

HEADER = ["身份证号", "操作", "姓名", "人才类别", "授予年份", "家属关系", "家属身份证号", "备注"]
ROW = [HOLDER, "新增或更新", "张三", "全国劳动模范；全国技术能手", "2015;2018", "子女", CHILD, "x"]


def read(path: Path) -> tuple[tuple[str, ...], list[RawRow]]:
    with path.open("rb") as stream:
        rows = parse_upload(stream, path.name)
        return rows.unknown_headers, list(rows)


def failure(path: Path) -> FileFormatError:
    with path.open("rb") as stream, pytest.raises(FileFormatError) as caught:
        list(parse_upload(stream, path.name))
    return caught.value


def write_csv(path: Path, rows: Iterable[Sequence[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def rewrite_zip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """Copy an XLSX part by part, swapping the named parts' contents."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, replace.get(item.filename, old.read(item.filename)))
        for name in replace.keys() - set(old.namelist()):
            new.writestr(name, replace[name])
    return target


def declare_unpacked_size(path: Path, name: str, size: int) -> None:
    """Overwrite a part's uncompressed size in the zip's central directory (offset 24)."""
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    segno.make("bluecard").save(buffer, kind="png")
    return buffer.getvalue()


# A city's own copy of the template, as bureaus make them: a notes sheet first; above the
# header a merged title and a 填报单位/填报日期 line; a blank row; a footer and a note below.
# files/city_workbook.xls and .ods are this workbook saved by LibreOffice
# (`soffice --headless --convert-to xls city_workbook.xlsx`, and `ods`).
CITY_ID_LINE, CITY_BAD_LINE = 4, 6


def write_city_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "填表说明"
    notes.append(["1. 每人一行，身份证号请填写 18 位"])
    notes.append(["2. 操作填「新增或更新」或「退出」"])
    data = workbook.create_sheet("备案表")
    data.append(["合肥市高技能人才备案表（2026 年第四季度）"])
    data.merge_cells("A1:E1")
    data.append(["填报单位：合肥市人力资源和社会保障局", None, None, "填报日期：2026年10月8日"])
    data.append(["操作", "身份证号", "姓 名", "退出原因", "备注"])
    data.append(["退出", HOLDER, "张三", "退休", None])
    data.append([])
    data.append(["退出", "12345", "李四", "退休", None])
    data.append(["填表人：王五", None, "审核人：赵六"])
    data.append(["注：本表一式两份"])
    workbook.save(path)
    return path
