"""Reading real submission files (written to disk here) into raw rows."""

from __future__ import annotations

import csv
import io
import json
import os
import tracemalloc
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import segno
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]

from app.filing.parsers import FileFormatError, RawRow, RowIssue, parse_upload
from app.filing.parsers.columns import HEADERS
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


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_excel_saves_reads_the_same(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "city.csv", [HEADER, ROW], encoding)

    unknown, rows = read(path)

    assert unknown == ("备注",)
    assert rows == [
        RawRow(
            1,
            {
                "id_number": HOLDER,
                "action": "新增或更新",
                "name": "张三",
                "honors[].category": ["全国劳动模范", "全国技术能手"],
                "honors[].year": ["2015", "2018"],
                "dependents[].relation": ["子女"],
                "dependents[].id_number": [CHILD],
            },
        )
    ]


def test_gb18030_csv_larger_than_a_chunk_decodes_across_chunk_edges(tmp_path: Path) -> None:
    names = [f"张{'三' * (i % 7 + 1)}" for i in range(8000)]
    path = write_csv(
        tmp_path / "big.csv", [HEADER[:3], *([HOLDER, "退出", n] for n in names)], "gb18030"
    )

    _, rows = read(path)

    assert [row.fields["name"] for row in rows] == names


def test_csv_blank_rows_are_skipped_but_keep_row_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [HEADER[:3], ["", "", ""], [HOLDER, "退出", "李四"]])

    _, rows = read(path)

    assert [row.row for row in rows] == [2]


def test_csv_quoted_cell_may_span_lines(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv", [["操作", "身份证号", "突出贡献说明"], ["退出", HOLDER, "一\n二"]]
    )

    _, rows = read(path)

    assert rows[0].fields["conditions.contribution.note"] == "一\n二"


def test_csv_without_required_headers_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["姓名", "操作"], ["张三", "退出"]])

    error = failure(path)

    assert error.code == "missing_columns"
    assert "身份证号" in error.message_zh


def test_csv_with_a_repeated_header_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["操作", "身份证号", "姓名", "姓名 "]])

    assert failure(path).code == "duplicate_columns"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        png_bytes(),
        "操作,身份证号\n".encode() + b"\xff\xfe\xff\n",
        "操作,身份证号\n退出,1\x002\n".encode(),
    ],
    ids=["empty", "binary", "bad_bytes_after_header", "nul_in_text"],
)
def test_csv_that_is_not_text_is_malformed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(content)

    assert failure(path).code == "malformed_file"


# --- JSON --------------------------------------------------------------------------------


def test_contract_example_json_flattens_to_the_csv_field_names() -> None:
    _, rows = read(FILES / "contract_example.json")

    upsert, retire = rows
    assert upsert.row == 1 and retire.row == 2
    assert upsert.fields["conditions.frontline.met"] is True
    assert upsert.fields["frontline_since"] == 2004
    assert upsert.fields["honors[].category"] == ["national_model_worker"]
    assert upsert.fields["honors[].year"] == [2015]
    assert upsert.fields["dependents[].relation"] == ["child"]
    assert retire.fields == {
        "action": "retire",
        "id_number": "340202197506210018",
        "reason": "退休",
    }


def test_json_with_a_windows_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + (FILES / "contract_example.json").read_bytes())

    assert len(read(path)[1]) == 2


def test_json_shape_problems_become_row_issues(tmp_path: Path) -> None:
    record = {
        "action": "upsert",
        "name": {"given": "三"},
        "skil_level": "technician",
        "conditions": {"frontline": {"met": True, "why": "x"}, "luck": {}},
        "honors": ["not an object", {"category": "功勋荣誉", "year": 2015.0}],
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"records": [record, 7]}), encoding="utf-8")

    _, (first, second) = read(path)

    assert set(first.issues) == {
        RowIssue("name", "invalid_type"),
        RowIssue("skil_level", "unknown_field"),
        RowIssue("conditions.frontline.why", "unknown_field"),
        RowIssue("conditions.luck", "unknown_field"),
        RowIssue("honors[0]", "invalid_type"),
    }
    assert first.fields["honors[].category"] == [None, "功勋荣誉"]
    assert first.fields["honors[].year"] == [None, 2015.0]
    assert second.issues == (RowIssue("", "invalid_type"),)


@pytest.mark.parametrize(
    "content",
    [
        png_bytes(),
        b"[1, 2]",
        b'{"rows": []}',
        b'{"records": {}}',
        b'{"records": [], "more": 1}',
        b'{"records": [{"action": "retire"}',
        b'{"records": []} trailing',
    ],
    ids=["png", "array", "no_records", "records_not_array", "extra_key", "cut", "trailing"],
)
def test_json_that_is_not_a_submission_file_is_malformed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)

    assert failure(path).code == "malformed_file"


def test_json_message_does_not_quote_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(f'{{"records": [{{"id_number": "{HOLDER}" oops'.encode())

    assert HOLDER not in failure(path).message_zh


# --- XLSX --------------------------------------------------------------------------------


def test_xlsx_keeps_values_as_excel_stores_them(tmp_path: Path) -> None:
    header = ["操作", "身份证号", "一线工作起始年份", "授予年份", "家属身份证号", "蓝卡卡号"]
    row = ["退出", 340102198001010028, 2004.0, datetime(2015, 6, 1), 3.4010220100905e17, 12]
    _, rows = read(write_xlsx(tmp_path / "w.xlsx", [header, row]))

    fields = rows[0].fields
    # Like Excel, the number keeps 15 significant digits: the ID's last digits are gone.
    assert isinstance(fields["id_number"], float)
    assert fields["id_number"] != 340102198001010028
    assert fields["frontline_since"] == 2004
    assert fields["honors[].year"] == [datetime(2015, 6, 1)]
    assert fields["dependents[].id_number"] == [3.4010220100905e17]
    assert fields["card_no"] == 12


def test_xlsx_reads_the_first_sheet_only(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", [HEADER, ROW])
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("其他").append(["操作", "身份证号"])
    workbook.active = 1
    workbook.save(path)

    unknown, rows = read(path)

    assert unknown == ("备注",)
    assert rows[0].fields["honors[].category"] == ["全国劳动模范", "全国技术能手"]


def test_xlsx_without_required_headers_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", [["操作", "姓名"], ["退出", "张三"]])

    assert failure(path).code == "missing_columns"


def test_png_renamed_to_xlsx_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(png_bytes())

    assert failure(path).code == "malformed_file"


def test_zip_that_is_not_a_workbook_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")

    assert failure(path).code == "malformed_file"


def test_zip_bomb_part_is_refused_before_parsing(tmp_path: Path) -> None:
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    padded = sheet + b" " * (20 * 1024 * 1024) + b"<sheetData/></worksheet>"
    base = write_xlsx(tmp_path / "base.xlsx", [HEADER])
    path = rewrite_zip(base, tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": padded})

    assert failure(path).code == "file_too_large"


def test_zip_declaring_too_much_unpacked_data_is_refused(tmp_path: Path) -> None:
    filler = "xl/media/filler.bin"
    base = write_xlsx(tmp_path / "base.xlsx", [HEADER])
    crafted = rewrite_zip(base, tmp_path / "big.xlsx", {filler: os.urandom(8 * 1024 * 1024)})
    declare_unpacked_size(crafted, filler, 600 * 1024 * 1024)

    assert failure(crafted).code == "file_too_large"


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""


NAMESPACE = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def test_xlsx_with_entities_in_sheet_xml_is_malformed(tmp_path: Path) -> None:
    sheet = (
        LAUGHS + b"<worksheet " + NAMESPACE + b"><sheetData>"
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    base = write_xlsx(tmp_path / "base.xlsx", [HEADER, ROW])
    path = rewrite_zip(base, tmp_path / "laughs.xlsx", {"xl/worksheets/sheet1.xml": sheet})

    error = failure(path)

    assert error.code == "malformed_file"
    assert refused_by_defusedxml(error)


def test_xlsx_with_entities_in_shared_strings_is_malformed(tmp_path: Path) -> None:
    strings = LAUGHS + b"<sst " + NAMESPACE + b"><si><t>&lol3;</t></si></sst>"
    base = write_xlsx(tmp_path / "base.xlsx", [HEADER, ROW])
    with zipfile.ZipFile(base) as archive:
        types = archive.read("[Content_Types].xml")
    # openpyxl writes inline strings; declare a shared-string part so readers load it.
    types = types.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
    replace = {"xl/sharedStrings.xml": strings, "[Content_Types].xml": types}
    path = rewrite_zip(base, tmp_path / "laughs.xlsx", replace)

    error = failure(path)

    assert error.code == "malformed_file"
    assert refused_by_defusedxml(error)


def refused_by_defusedxml(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


# --- Any format --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["city.xls", "city.txt", "city", "city.json.exe"])
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
