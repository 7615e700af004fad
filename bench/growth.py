"""Growth benchmark (PostgreSQL): does a lookup record of years' worth of rows slow the
lookups and the access log down?

Two throwaway databases get the same registry (`--talents` marker holders, from the
lookup benchmark's cached population). One keeps an empty lookup record; the other gets
`--rows` records spread evenly over `--months` months up to now, one partition a month,
filled by set-based SQL (generate_series, each month into a bare table that is then
attached, so its indexes are built once by sorting, not row by row): 80 % of the rows
are about the registry's people, 20 % about unknown ones, from 50 callers. Then, on each
database in turn, with the same sequence of people:

- single lookups through the service function (`lookup.service.answer_asks`, a committed
  transaction each, as the server's group commit runs it; no HTTP, so the figures are
  the database's and not the web stack's, on a machine others share);
- access-log pages (`lookup.access_log.talent_access_log`, first page of 20, the person's
  whole retained history counted), a transaction each.

It prints p50/p99 of each, the ratio full/empty (target: p99 within 1.5x), the disk the
record takes per million rows (table and indexes), and the time to archive and drop the
oldest month (`lookup.retention.maintain`, retention set so that one month is past it).

    python bench/growth.py                     # 20,000,000 rows over 24 months
    python bench/growth.py --rows 2000000      # a quick run
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
CALLERS = 50


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--talents", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=3000, help="single lookups measured")
    parser.add_argument("--pages", type=int, default=1000, help="access-log pages measured")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    from bench._lookup_data import fill_postgres, sqlite_cache

    sqlite_path, key_file = sqlite_cache(args.talents + args.talents // 5, args.talents)
    os.environ["BLUECARD_KEY_FILE"] = str(key_file)
    print(f"load average at start: {_load()}", flush=True)
    with _throwaway(args.keep) as empty_url, _throwaway(args.keep) as full_url:
        for url in (empty_url, full_url):
            fill_postgres(url, sqlite_path)
        full = _engine(full_url)
        _point_app_at(full_url)  # the key ring is read from the database the app is at
        started = time.perf_counter()
        _fill(full, args.rows, args.months, args.talents)
        fill_seconds = time.perf_counter() - started
        per_million = _disk(full) / (args.rows / 1e6)
        print(
            f"filled {args.rows:,} rows over {args.months} months in {fill_seconds:.0f} s; "
            f"disk {per_million / 2**20:.0f} MiB per million rows (table + indexes)",
            flush=True,
        )
        figures = {}
        for name, url in (("empty", empty_url), ("full", full_url)):
            engine = _engine(url)
            _point_app_at(url)
            figures[name] = _measure(engine, args)
            engine.dispose()
        _report(figures)
        _point_app_at(full_url)
        _archive_one(full, args.months)
        full.dispose()
    print(f"load average at end: {_load()}")


def _fill(engine: Engine, rows: int, months: int, talents: int) -> None:
    """`rows` records over the `months` months up to now, each month its own partition."""
    from app.core.keys import get_keyring
    from app.lookup.partitions import add_months, month_of, month_start, partition_name
    from bench._lookup_data import person_id_number

    keyring = get_keyring()
    now = datetime.now(UTC)
    current = month_of(now)
    first = add_months(current, -(months - 1))
    per_month = rows // months
    with engine.begin() as connection:
        # The registry's people by number, to draw subjects from in SQL.
        connection.execute(text("CREATE TEMP TABLE subject (n int PRIMARY KEY, h bytea)"))
        connection.execute(
            text("INSERT INTO subject VALUES (:n, decode(:h, 'hex'))"),
            [{"n": n, "h": keyring.blind_index(person_id_number(n))} for n in range(talents)],
        )
        for offset in range(months):
            month = add_months(first, offset)
            low = month_start(month)
            high = now if month == current else month_start(add_months(month, 1))
            name = partition_name(month)
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
            connection.exec_driver_sql(
                f"CREATE TABLE {name} (LIKE lookup_record INCLUDING DEFAULTS)"
            )
            connection.execute(
                text(_FILL.format(name=name)),
                {"low": low, "high": high, "count": per_month, "talents": talents},
            )
            connection.exec_driver_sql(
                f"ALTER TABLE lookup_record ATTACH PARTITION {name} "
                f"FOR VALUES FROM ('{low.isoformat()}') "
                f"TO ('{month_start(add_months(month, 1)).isoformat()}')"
            )
            print(f"  {name}: {per_month:,} rows", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE lookup_record")


# Time spread evenly over the month; a time-ordered id (the ms, then the row number) as
# uuid7 gives; every fifth subject unknown, the others drawn from the registry.
_FILL = """
INSERT INTO {name}
SELECT
    (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7'
        || lpad(to_hex(g), 19, '0'))::uuid,
    t, 'partner',
    ('00000000-0000-4000-8000-' || lpad((g % 50)::text, 12, '0'))::uuid,
    'bench partner ' || (g % 50), 'housing', 'growth bench', 'id_number',
    CASE WHEN g % 5 = 0 THEN decode(md5(g::text || 'x') || md5(g::text), 'hex') ELSE h END,
    CASE WHEN g % 5 = 0 THEN 'no_priority' ELSE 'priority' END,
    NULL, NULL
FROM generate_series(1, :count) AS g
JOIN subject ON subject.n = (g::bigint * 7919) % :talents
CROSS JOIN LATERAL (
    SELECT CAST(:low AS timestamptz)
        + (CAST(:high AS timestamptz) - CAST(:low AS timestamptz)) * ((g - 1)::float8 / :count)
        AS t
) AS moment
"""


def _disk(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                    "WHERE inhparent = 'lookup_record'::regclass"
                )
            )
            or 0
        )


def _measure(engine: Engine, args: argparse.Namespace) -> dict[str, list[float]]:
    from app.access.auth import Principal
    from app.core.db import get_sessionmaker
    from app.core.keys import get_keyring
    from app.core.types import utcnow
    from app.lookup.access_log import talent_access_log
    from app.lookup.schemas import LookupRequest
    from app.lookup.service import Ask, answer_asks
    from bench._lookup_data import person_id_number

    rng = random.Random(11)
    partner = Principal(
        kind="partner",
        id=uuid.UUID(int=1),
        name="growth bench",
        role="partner",
        scopes=frozenset({"priority:housing"}),
    )
    auditor = Principal(kind="user", id=uuid.UUID(int=2), name="auditor", role="auditor")
    with engine.connect() as connection:
        talent_ids = dict(connection.execute(text("SELECT id_hash, id FROM talent")).all())
    keyring = get_keyring()
    people = [rng.randrange(args.talents) for _ in range(max(args.lookups, args.pages))]

    def lookup(n: int) -> None:
        request = LookupRequest(
            id_number=person_id_number(n), service="housing", purpose="growth bench"
        )
        with engine.begin() as connection:
            answer_asks(connection, [Ask(partner, request, utcnow())])

    sessions = get_sessionmaker()

    def page(n: int) -> None:
        talent_id = talent_ids[keyring.blind_index(person_id_number(n))]
        with sessions() as session, session.begin():
            talent_access_log(session, auditor, talent_id, cursor=None, limit=20)

    return {
        "lookup": _timed(lookup, people[: args.lookups]),
        "access log": _timed(page, people[: args.pages]),
    }


def _timed(call: Callable[[int], None], people: list[int]) -> list[float]:
    for n in people[:50]:  # warm the caches and the statement cache
        call(n)
    times = []
    for n in people:
        started = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _report(figures: dict[str, dict[str, list[float]]]) -> None:
    print(f"\nservice-function timings (ms), load average now {_load()}")
    for what in ("lookup", "access log"):
        p99 = {}
        for name in ("empty", "full"):
            times = sorted(figures[name][what])
            p99[name] = times[int(len(times) * 0.99) - 1]
            print(
                f"  {what:10} {name:5}  n={len(times):5}  p50 {statistics.median(times):6.2f}  "
                f"p99 {p99[name]:6.2f}"
            )
        ratio = p99["full"] / p99["empty"]
        verdict = "meets" if ratio <= 1.5 else "MISSES"
        print(f"  {what:10} p99 full/empty = {ratio:.2f}  ({verdict} the 1.5x bound)")


def _archive_one(engine: Engine, months: int) -> None:
    """Retention set so that exactly the oldest month is past it: archive and drop it."""
    from app.lookup.retention import maintain

    with tempfile.TemporaryDirectory(prefix="bluecard-growth-archive-") as folder:
        started = time.perf_counter()
        done = maintain(engine, retention_months=months - 2, archive_dir=Path(folder))
        seconds = time.perf_counter() - started
        for month in done:
            size = month.path.stat().st_size
            print(
                f"archived and dropped {month.month}: {month.rows:,} rows, "
                f"{size / 2**20:.1f} MiB gzip, in {seconds:.1f} s "
                f"({month.rows / max(seconds, 1e-9):,.0f} rows/s)"
            )
        if not done:
            print("no month was past retention (nothing archived)")


def _engine(url: str) -> Engine:
    from app.core.db import make_engine

    return make_engine(url)


def _point_app_at(url: str) -> None:
    from app.core.db import get_engine, get_sessionmaker
    from app.core.settings import get_settings

    os.environ["BLUECARD_DATABASE_URL"] = url
    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()


@contextmanager
def _throwaway(keep: bool) -> Iterator[str]:
    name = f"bluecard_growth_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
