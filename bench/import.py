"""How fast are city files validated and applied? 100,000 records, SQLite and PostgreSQL.

Generates N distinct fictitious people of one city (app/demo/fakes.py, 10 % of them not
eligible) as a JSON submission file, and the same file with 1 % bad rows. For each database
it runs, each in a fresh, migrated database and a process of its own:
- floor: the file's people, honours and dependents inserted by plain executemany, with no
  parsing, validation, encryption or eligibility (the least any import must cost);
- valid: validate the file through `intake.take_in`, submit, approve through
  `review.approve` (the registry's `file_record` for every row), one transaction each;
  then the same file again as a re-filing (every row found, unchanged, re-filed);
- bad: validate the 1 %-bad file (it stays `invalid`, so it is not approved).
Prints seconds, rows/s, the peak RSS of each process and the ratio to the floor, plus the
CPU seconds of our process (the database server's own work is not in them): on a busy
machine wall-clock time says more about the neighbours than about the import.
Target on the 2-core reference machine (issue 19): validate + approve under 30 s, peak
under 256 MB.

    python bench/import.py                       # 100,000 rows, both databases
    python bench/import.py --rows 10000 --db sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _import_data import write_json

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
CASE_SCRIPT = Path(__file__).with_name("_import_case.py")
SEED = 2026
BAD_EVERY = 100
TARGET_SECONDS, TARGET_MB = 30, 256


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bluecard-import-") as workdir:
        work = Path(workdir)
        valid = write_json(work / "valid.json", SEED, args.rows)
        bad = write_json(work / "bad.json", SEED, args.rows, bad_every=BAD_EVERY)
        size_mb = valid.stat().st_size / 1024 / 1024
        print(
            f"{args.rows} records, {size_mb:.1f} MB of JSON; 1 % bad variant: every {BAD_EVERY}th"
        )
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            floor = run_case(db, work, "floor", valid, args.rows)
            good = run_case(db, work, "valid", valid, args.rows)
            spoiled = run_case(db, work, "bad", bad, args.rows)
            report(db, args.rows, floor, good, spoiled)


def run_case(db: str, work: Path, case: str, file: Path, rows: int) -> dict[str, Any]:
    with fresh_database(db, work) as url:
        done = subprocess.run(
            [sys.executable, str(CASE_SCRIPT), case, url, str(file), str(rows), str(SEED)],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"{db} {case} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(
    db: str, rows: int, floor: dict[str, Any], good: dict[str, Any], bad: dict[str, Any]
) -> None:
    total = good["validate"] + good["approve"]
    print(f"\n{db}")
    print(f"  {'phase':<30}{'seconds':>9}{'rows/s':>9}{'CPU s':>8}{'peak MB':>9}")
    cpu_total = good["validate_cpu"] + good["approve_cpu"]
    lines = [
        ("floor (plain executemany)", floor["insert"], None, floor["peak_mb"]),
        ("validate", good["validate"], good["validate_cpu"], good["peak_mb"]),
        ("approve (apply)", good["approve"], good["approve_cpu"], good["peak_mb"]),
        ("validate + approve", total, cpu_total, good["peak_mb"]),
        (
            f"validate, 1 % bad ({bad['counts']['errors']} rows)",
            bad["validate"],
            bad["validate_cpu"],
            bad["peak_mb"],
        ),
        (
            "re-file: validate",
            good["refile_validate"],
            good["refile_validate_cpu"],
            good["peak_mb"],
        ),
        ("re-file: approve", good["refile_approve"], good["refile_approve_cpu"], good["peak_mb"]),
    ]
    for name, seconds, cpu, peak in lines:
        shown_cpu = "" if cpu is None else f"{cpu:.1f}"
        print(f"  {name:<30}{seconds:>9.1f}{rows / seconds:>9.0f}{shown_cpu:>8}{peak:>9.0f}")
    print(f"  validate + approve / floor: {total / floor['insert']:.1f}x")
    verdict = "meets" if total < TARGET_SECONDS and good["peak_mb"] < TARGET_MB else "MISSES"
    print(
        f"  {verdict} the target (< {TARGET_SECONDS} s, < {TARGET_MB} MB); counts: {good['counts']}"
    )
    print(f"  re-file counts: {good['refile_counts']}")


@contextmanager
def fresh_database(db: str, work: Path) -> Iterator[str]:
    name = f"bluecard_import_{uuid.uuid4().hex[:10]}"
    if db == "sqlite":
        yield f"sqlite:///{work / name}.db"
        return
    admin = create_engine(
        PG_SERVER.replace("postgresql", "postgresql+psycopg") + "/test",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
