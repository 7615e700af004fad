"""Reading Excel submission files into raw rows, and refusing hostile ones."""

from __future__ import annotations

import os
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]

from tests.filing.parser_files import (
    HEADER,
    ROW,
    declare_unpacked_size,
    failure,
    png_bytes,
    read,
    rewrite_zip,
    write_xlsx,
)


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
