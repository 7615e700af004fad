"""Loading the blue-card pool: CSV and XLSX, row errors, re-imports, links to talents."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main
from app.core.audit import SYSTEM
from app.core.db import session_scope
from app.core.keys import get_keyring
from app.demo.fakes import fake_card_no, fake_id_number, fake_name
from app.registry.card_files import CardFileError, open_card_file
from app.registry.cards import CardError, ImportCounts, import_cards
from app.registry.models import BlueCard
from app.registry.records import CARD_ID_CONTEXT
from tests.registry.factories import HEFEI, TODAY, file, talent_data

ZH_HEADER = ["蓝卡卡号", "身份证号", "姓名", "所属市", "职业工种", "技能等级", "发卡日期"]
EN_HEADER = ["card_no", "id_number", "name", "city", "occupation", "skill_level", "issued_on"]
BAD_ID = "340102198001010011"  # wrong check character


def _cards(count: int, seed: int = 7) -> list[list[Any]]:
    rng = random.Random(seed)
    return [
        [
            fake_card_no(rng, HEFEI),
            fake_id_number(rng, city_code=HEFEI),
            fake_name(rng),
            "合肥市" if i % 2 else HEFEI,
            "焊工",
            "高级技师" if i % 3 else "中级工",
            "2020-05-01",
        ]
        for i in range(count)
    ]


def _write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(db: Session, path: Path) -> tuple[ImportCounts, list[CardError]]:
    errors: list[CardError] = []
    counts = import_cards(
        db,
        SYSTEM,
        open_card_file(path).rows,
        today=TODAY,
        source=path.name,
        on_error=errors.append,
        batch_size=3,
    )
    return counts, errors


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_import_loads_every_row_encrypted(db: Session, tmp_path: Path, encoding: str) -> None:
    rows = _cards(10)
    counts, errors = _import(db, _write_csv(tmp_path / "pool.csv", ZH_HEADER, rows, encoding))
    assert errors == []
    assert (counts.rows, counts.inserted, counts.updated, counts.unchanged) == (10, 10, 0, 0)
    keyring = get_keyring()
    card = db.scalar(select(BlueCard).where(BlueCard.card_no == rows[0][0]))
    assert card is not None
    assert card.id_hash == keyring.blind_index(rows[0][1])
    assert keyring.decrypt(card.id_cipher, context=CARD_ID_CONTEXT) == rows[0][1]
    assert rows[0][1] not in card.id_cipher
    assert (card.city_code, card.issued_on) == (HEFEI, date(2020, 5, 1))
    skills = {c.skill_level for c in db.scalars(select(BlueCard))}
    assert skills >= {"senior_technician", "中级工"}  # known levels as codes, others as given


def test_xlsx_import_with_english_headers_and_date_cells(db: Session, tmp_path: Path) -> None:
    rows = _cards(5)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(EN_HEADER)
    for row in rows:
        sheet.append([*row[:6], datetime(2019, 3, 8)])
    sheet.append([None] * 7)  # an empty row is skipped, not an error
    path = tmp_path / "pool.xlsx"
    workbook.save(path)
    counts, errors = _import(db, path)
    assert errors == [] and counts.inserted == 5
    card = db.scalar(select(BlueCard).where(BlueCard.card_no == rows[4][0]))
    assert card is not None and card.issued_on == date(2019, 3, 8)


def test_bad_rows_are_reported_with_masked_ids_and_the_rest_load(
    db: Session, tmp_path: Path
) -> None:
    good = _cards(3)
    bad = [
        ["AH3401009999", BAD_ID, "甲", "合肥市", "", "", ""],
        ["AH3401009998", good[0][1], "乙", "火星市", "", "", ""],
        ["AH3401009997", good[1][1], "丙", "340100", "", "", "2020-13-01"],
        [good[0][0], good[2][1], "丁", "340100", "", "", ""],  # the same card number again
        ["", good[2][1], "", "340100", "", "", "2999-01-01"],
    ]
    counts, errors = _import(db, _write_csv(tmp_path / "p.csv", ZH_HEADER, good + bad, "utf-8"))
    assert (counts.rows, counts.inserted, counts.errors) == (8, 3, 5)
    found = {(e.row, e.field, e.code) for e in errors}
    assert found == {
        (4, "id_number", "invalid_id_number"),
        (5, "city", "invalid_city"),
        (6, "issued_on", "invalid_date"),
        (7, "card_no", "duplicate_in_file"),
        (8, "card_no", "required"),
        (8, "name", "invalid_name"),
        (8, "issued_on", "invalid_date"),
    }
    id_error = next(e for e in errors if e.code == "invalid_id_number")
    assert BAD_ID not in id_error.message and "340102**********11" in id_error.message


@pytest.mark.parametrize(
    "written", ["2020-05-01", "2020/5/1", "2020.05.01", "2020年5月1日", "20200501", " 2020-05-01 "]
)
def test_issue_dates_are_read_as_offices_write_them(
    db: Session, tmp_path: Path, written: str
) -> None:
    rows = [[*row[:6], written] for row in _cards(2)]
    counts, errors = _import(db, _write_csv(tmp_path / "p.csv", ZH_HEADER, rows, "utf-8"))
    assert errors == [] and counts.inserted == 2
    assert {card.issued_on for card in db.scalars(select(BlueCard))} == {date(2020, 5, 1)}


def test_reimport_updates_changed_rows_only(db: Session, tmp_path: Path) -> None:
    rows = _cards(6)
    _import(db, _write_csv(tmp_path / "a.csv", ZH_HEADER, rows, "utf-8"))
    rows[1][2] = "改名"
    rows[2][3] = "芜湖市"
    rows.append(_cards(1, seed=99)[0])
    counts, errors = _import(db, _write_csv(tmp_path / "b.csv", ZH_HEADER, rows, "utf-8"))
    assert errors == []
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 2, 4)
    renamed = db.scalar(select(BlueCard).where(BlueCard.card_no == rows[1][0]))
    moved = db.scalar(select(BlueCard).where(BlueCard.card_no == rows[2][0]))
    assert renamed is not None and renamed.name == "改名"
    assert moved is not None and moved.city_code == "340200"


def test_missing_required_headers_refuse_the_file(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "x.csv", ["蓝卡卡号", "姓名"], [], "utf-8")
    with pytest.raises(CardFileError) as refused:
        open_card_file(path)
    assert "身份证号" in refused.value.message_zh and "所属市" in refused.value.message_zh
    with pytest.raises(CardFileError):
        open_card_file(tmp_path / "pool.txt")


def test_talent_links_to_their_card_whichever_came_first(
    db: Session, tmp_path: Path, login: Any, client: TestClient
) -> None:
    before = talent_data()
    filed_first = file(db, before)
    after = talent_data()
    rows = [
        ["AH340100CARD0001", before.id_number, before.name, "合肥市", "焊工", "高级技师", ""],
        ["AH340100CARD0002", after.id_number, after.name, "合肥市", "钳工", "技师", ""],
    ]
    _import(db, _write_csv(tmp_path / "p.csv", ZH_HEADER, rows, "utf-8"))
    filed_later = file(db, after)
    db.expire_all()
    assert filed_first.card is not None and filed_first.card.card_no == "AH340100CARD0001"
    assert filed_later.card is not None and filed_later.card.card_no == "AH340100CARD0002"
    headers = login("province_admin").headers
    detail = client.get(
        str(client.app.url_path_for("talent_get", talent_id=str(filed_later.id))),  # type: ignore[attr-defined]
        headers=headers,
    )
    assert detail.json()["blue_card"]["card_no"] == "AH340100CARD0002"


def test_cli_import_writes_the_error_report_and_exits_1(
    fresh_database_url: str, tmp_path: Path
) -> None:
    rows = [*_cards(4), ["AH3401009999", BAD_ID, "甲", "合肥市", "", "", ""]]
    source = _write_csv(tmp_path / "pool.csv", ZH_HEADER, rows, "utf-8-sig")
    report = tmp_path / "errors.csv"
    assert main(["cards", "import", str(source), "--errors", str(report)]) == 1
    with report.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["行号", "字段", "错误代码", "说明"]
    assert lines[1][:3] == ["5", "id_number", "invalid_id_number"]
    assert BAD_ID not in report.read_text(encoding="utf-8-sig")
    with session_scope() as session:
        assert len(session.scalars(select(BlueCard)).all()) == 4
    assert main(["cards", "import", str(source)]) == 1  # re-import: nothing new, same bad row
    assert main(["cards", "import", str(tmp_path / "missing.csv")]) == 2
