"""Reading CSV submission files (UTF-8, UTF-8 with BOM, GB18030) into raw rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.filing.parsers import RawRow
from tests.filing.parser_files import (
    CHILD,
    HEADER,
    HOLDER,
    ROW,
    failure,
    png_bytes,
    read,
    write_csv,
)


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
            sheet_row=2,
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
