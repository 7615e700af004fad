"""Reading JSON submission files into raw rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.filing.parsers import RowIssue
from tests.filing.parser_files import (
    FILES,
    HOLDER,
    failure,
    png_bytes,
    read,
)


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
        b"",
        b'{"records": [{"name": NaN}]}',
        b'{"records": [{"name": "\\ud800x"}]}',
        b'{"records": [{"name": "a"} {"name": "b"}]}',
        b'{"records": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
    ],
    ids=[
        "png",
        "array",
        "no_records",
        "records_not_array",
        "extra_key",
        "cut",
        "trailing",
        "empty",
        "nan",
        "lone_surrogate",
        "no_comma",
        "deeply_nested",
    ],
)
def test_json_that_is_not_a_submission_file_is_malformed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)

    assert failure(path).code == "malformed_file"


def test_json_message_does_not_quote_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(f'{{"records": [{{"id_number": "{HOLDER}" oops'.encode())

    assert HOLDER not in failure(path).message_zh


def test_a_long_file_reads_as_the_standard_decoder_reads_it(tmp_path: Path) -> None:
    """Records cross the reader's buffer (256 kB) anywhere, one is longer than it, and the
    file is indented: every record comes out whole and in order."""
    records: list[object] = [
        {"name": f"张{n}", "employer": "合肥" * (n % 50), "honors": [{"year": n}]}
        for n in range(6000)
    ]
    records[2500] = {"name": "长" * 1_500_000, "note": "\U0001f600"}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"records": records}, indent=2, ensure_ascii=False), "utf-8")

    _, rows = read(path)

    assert [row.row for row in rows] == list(range(1, 6001))
    assert rows[2500].fields == {"name": "长" * 1_500_000}
    assert rows[2500].issues == (RowIssue("note", "unknown_field"),)
    assert rows[5999].fields["employer"] == "合肥" * 49
    assert rows[5999].fields["honors[].year"] == [5999]


def test_escaped_characters_beyond_the_basic_plane_are_read(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b'{"records": [{"name": "\\ud842\\udfb7\\u4e09"}]}')

    assert read(path)[1][0].fields["name"] == "\U00020bb7三"


def test_a_record_longer_than_any_submission_holds_is_refused_not_held(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"records": [{"name": "x" * 9_000_000}]}), "utf-8")

    assert failure(path).code == "malformed_file"
