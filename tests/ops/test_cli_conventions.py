"""The `bluecard` command's conventions (issue 23.4): help for every command and option, exit
statuses with one meaning each (0 done, 1 the check or data says no, 2 usage, 3 no database
or keys), no traceback for expected failures, `--json` where a script reads the result."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from app.cli import build_parser, main
from app.core.audit import AuditEvent
from app.core.db import session_scope
from app.core.exit_status import EXIT_NO, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE
from tests.filing.api import HOLDER_CITY
from tests.filing.writers import people, write_csv
from tests.registry.test_cards import BAD_ID, ZH_HEADER, _cards, _write_csv

ROOT = Path(__file__).resolve().parents[2]


def _bluecard(*argv: str, database_url: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BLUECARD_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.update({f"BLUECARD_{name.upper()}": value for name, value in settings.items()})
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *argv],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _parsers(
    parser: argparse.ArgumentParser, path: str = "bluecard"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, f"{path} {name}")


def test_every_command_and_option_has_help() -> None:
    missing = []
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {c.dest: c.help for c in action._choices_actions}
                missing += [f"{path} {name}" for name in action.choices if not helps.get(name)]
            elif action.help is None or (action.help == "" and action.dest != "help"):
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_the_top_level_help_is_for_operators_and_lists_the_exit_statuses() -> None:
    done = _bluecard("--help", database_url="sqlite:///unused.db")
    assert done.returncode == EXIT_OK
    assert "Thin:" not in done.stdout and "COMMAND_GROUPS" not in done.stdout
    assert "exit status: 0 done; 1 the check or the data says no" in done.stdout
    serve = _bluecard("serve", "--help", database_url="sqlite:///unused.db").stdout
    assert "port to listen on" in serve and "worker processes" in serve


def test_bad_usage_exits_2() -> None:
    done = _bluecard("db", database_url="sqlite:///unused.db")
    assert done.returncode == EXIT_USAGE
    assert "required" in done.stderr and "Traceback" not in done.stderr
    unset = _bluecard(
        "audit", "verify", database_url="sqlite:///unused.db", login_max_failures="many"
    )
    assert unset.returncode == EXIT_USAGE
    assert "BLUECARD_LOGIN_MAX_FAILURES" in unset.stderr and "Traceback" not in unset.stderr


@pytest.mark.parametrize(
    "unreachable_url",
    ["postgresql://postgres@127.0.0.1:1/test", "sqlite:////nonexistent-folder/bluecard.db"],
    ids=["postgresql", "sqlite"],
)
@pytest.mark.parametrize("argv", [("audit", "verify"), ("users", "list"), ("doctor",)])
def test_an_unreachable_database_exits_3_with_one_line_and_no_traceback(
    unreachable_url: str, argv: tuple[str, ...]
) -> None:
    done = _bluecard(*argv, database_url=unreachable_url)
    assert done.returncode == EXIT_UNAVAILABLE, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    if argv != ("doctor",):  # doctor names every check on stdout
        # The last line says it (a settings warning of the test environment may precede).
        line = done.stderr.strip().splitlines()[-1]
        assert "无法连接数据库" in line and "Cannot reach the database" in line


def test_audit_verify_json_says_ok_then_broken_with_exit_1(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Events to verify: a card import records one.
    source = _write_csv(tmp_path / "pool.csv", ZH_HEADER, _cards(2), "utf-8")
    assert main(["cards", "import", str(source), "--json"]) == EXIT_OK
    capsys.readouterr()
    assert main(["audit", "verify", "--json"]) == EXIT_OK
    holds = json.loads(capsys.readouterr().out)
    assert holds["ok"] is True and holds["events"] >= 1 and len(holds["head"]) == 64
    with session_scope() as session:
        session.execute(update(AuditEvent).values(actor="intruder"))
    # Verification goes on from the checkpoint the first one left; `--full` re-reads all.
    assert main(["audit", "verify", "--full", "--json"]) == EXIT_NO
    broken = json.loads(capsys.readouterr().out)
    assert broken["ok"] is False and broken["first_bad_seq"] == 1


def test_doctor_json_lists_every_check(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [c["check"] for c in report["checks"]] == ["settings", "database", "keys", "redis"]


def test_imports_print_a_json_summary_and_exit_1_on_rejected_rows(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [*_cards(3), ["AH3401009999", BAD_ID, "甲", "合肥市", "", "", ""]]
    source = _write_csv(tmp_path / "pool.csv", ZH_HEADER, rows, "utf-8")
    assert main(["cards", "import", str(source), "--json"]) == EXIT_NO
    counts = json.loads(capsys.readouterr().out)
    assert counts["rows"] == 4 and counts["inserted"] == 3 and counts["errors"] == 1

    records = people(70, 2, city_code=HOLDER_CITY)
    records[1]["id_number"] = BAD_ID
    path = write_csv(tmp_path / "hefei.csv", records)
    code = main(["submissions", "import", str(path), "--city", HOLDER_CITY, "--json"])
    assert code == EXIT_NO
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "invalid" and summary["counts"]["rows"] == 2
    assert summary["errors"][0]["code"] == "invalid_id_number"
    assert BAD_ID not in json.dumps(summary, ensure_ascii=False)


def test_a_service_refusal_exits_1_in_one_line(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["partners", "revoke-key", "--prefix", "ffffffff"]) == EXIT_NO
    err = capsys.readouterr().err
    assert "not_found" in err and "Traceback" not in err
