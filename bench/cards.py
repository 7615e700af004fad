"""How fast does the blue-card pool load? `bluecard cards import` on N generated cards.

Writes N invented cards (app/demo/fakes.py) to a CSV file, then imports it into a fresh,
migrated SQLite file and a fresh PostgreSQL database, through the same function the CLI
calls (one transaction, batches of --batch-size). Prints rows/s of the first load and of
a re-import of the same file (every row unchanged), with the CPU seconds of this process
and, on PostgreSQL, of its server backend: on a shared machine wall-clock time says more
about the neighbours than about the import.

    python bench/cards.py --rows 1000000
    python bench/cards.py --rows 100000 --db sqlite
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.audit import SYSTEM
from app.core.db import get_engine, get_sessionmaker, session_scope
from app.core.heap import freeze_loaded
from app.core.keys import get_keyring
from app.core.settings import get_settings
from app.demo.fakes import CITY_CODES, fake_card_no, fake_id_number, fake_name
from app.ops.migrate import upgrade
from app.registry.card_files import open_card_file
from app.registry.cards import BATCH_SIZE, import_cards
from app.registry.markers import local_today

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
# Issue 19, on the 2-core reference machine.
TARGET_ROWS, TARGET_SECONDS = 1_000_000, 30
HEADER = ["蓝卡卡号", "身份证号", "姓名", "所属市", "职业工种", "技能等级", "发卡日期"]


def write_cards(path: Path, rows: int) -> None:
    rng = random.Random(20261124)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            city = CITY_CODES[i % len(CITY_CODES)]
            # The index keeps card numbers unique whatever the random digits.
            card_no = fake_card_no(rng, city)[:8] + f"{i:08d}"
            writer.writerow(
                [card_no, fake_id_number(rng, city_code=city), fake_name(rng), city, "焊工",
                 "高级工", "2021-06-30"]
            )  # fmt: skip


def run(label: str, url: str, source: Path, batch_size: int, rows: int) -> None:
    os.environ["BLUECARD_DATABASE_URL"] = url
    for cached in (get_settings, get_engine, get_sessionmaker, get_keyring):
        cached.cache_clear()
    upgrade(get_engine())
    freeze_loaded()  # as `bluecard cards import` does before its work
    for attempt in ("load", "re-import"):
        started, cpu = time.perf_counter(), time.process_time()
        with session_scope() as session:
            backend = _backend_cpu(session)
            counts = import_cards(
                session,
                SYSTEM,
                open_card_file(source).rows,
                today=local_today(),
                source=source.name,
                batch_size=batch_size,
            )
            server = _backend_cpu(session) - backend
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert counts.rows == rows and counts.errors == 0, counts
        print(
            f"{label:<10} {attempt:<9} {rows:>9} rows {elapsed:8.1f} s"
            f" {rows / elapsed:>9.0f} rows/s"
            f"  CPU {cpu:.1f} s + server {server:.1f} s"
            f"  (inserted {counts.inserted}, unchanged {counts.unchanged})"
        )
        if attempt == "load" and rows >= TARGET_ROWS:
            verdict = "meets" if elapsed < TARGET_SECONDS else "MISSES"
            print(f"{'':<10} {verdict} the target: {TARGET_ROWS:,} cards in < {TARGET_SECONDS} s")
    get_engine().dispose()


def _backend_cpu(session: Session) -> float:
    """CPU seconds so far of the PostgreSQL backend serving `session` (0 on SQLite, whose
    work is this process's own)."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return 0.0
    pid = session.scalar(text("select pg_backend_pid()"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["BLUECARD_KEY_FILE"] = f"{workdir}/bench.keys"
        source = Path(workdir) / "pool.csv"
        started = time.perf_counter()
        write_cards(source, args.rows)
        print(f"generated {args.rows} cards in {time.perf_counter() - started:.1f} s")
        if args.db in ("sqlite", "both"):
            run("sqlite", f"sqlite:///{workdir}/bench.db", source, args.batch_size, args.rows)
        if args.db in ("postgresql", "both"):
            name = f"bench_cards_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_SERVER + "/test", isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                run("postgresql", f"{PG_SERVER}/{name}", source, args.batch_size, args.rows)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
