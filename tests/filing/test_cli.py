"""`bluecard submissions import`: the operator's bulk load, through the same validation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.core.db import session_scope
from app.filing.models import Submission
from tests.filing.api import HOLDER_CITY, next_period
from tests.filing.writers import people, write_csv, write_xlsx


def test_valid_file_is_imported_and_submitted(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_xlsx(tmp_path / "hefei.xlsx", people(60, 5, city_code=HOLDER_CITY))

    code = main(
        [
            "submissions",
            "import",
            str(path),
            "--city",
            HOLDER_CITY,
            "--period",
            "2026Q3",
            "--submit",
        ]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "数据行 5，有错误的行 0，新增 5，更新 0，退出 0，无变化 0" in out
    with session_scope() as session:
        (submission,) = session.scalars(select(Submission)).all()
        assert (submission.status, submission.period, submission.city_code) == (
            "pending_review",
            "2026Q3",
            HOLDER_CITY,
        )
        assert submission.created_by.startswith("cli:")


def test_a_period_that_has_not_begun_is_refused(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "hefei.csv", people(62, 1, city_code=HOLDER_CITY))

    args = ["submissions", "import", str(path), "--city", HOLDER_CITY, "--period", next_period()]
    code = main(args)

    assert code != 0
    assert "尚未开始" in capsys.readouterr().err
    with session_scope() as session:
        assert session.scalars(select(Submission)).all() == []


def test_file_with_errors_prints_the_first_ones_masked_and_exits_1(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = people(61, 12, city_code=HOLDER_CITY)
    for record in records:
        record["id_number"] = record["id_number"][:-1] + (
            "1" if record["id_number"][-1] != "1" else "2"
        )
    path = write_csv(tmp_path / "bad.csv", records, encoding="gb18030")

    code = main(["submissions", "import", str(path), "--city", HOLDER_CITY, "--submit"])

    out = capsys.readouterr().out
    assert code == 1
    assert "校验未通过" in out
    assert out.count("[invalid_id_number]") == 10
    assert re.search(r"[0-9]{17}[0-9X]", out) is None
    with session_scope() as session:
        assert session.scalars(select(Submission.status)).all() == ["invalid"]


def test_unknown_city_exits_2_and_a_refused_file_1(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")

    assert main(["submissions", "import", str(path), "--city", "999999"]) == 2
    assert main(["submissions", "import", str(path), "--city", HOLDER_CITY]) == 1
    assert "不支持的文件类型" in capsys.readouterr().err
