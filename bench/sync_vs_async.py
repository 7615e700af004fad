"""Sync or async SQLAlchemy on the lookup path? Measure, don't guess.

Serves the lookup's database work (one indexed select by blind index, one insert of the
lookup record, one commit) from two otherwise identical FastAPI apps: a `def` route on a
sync engine (run in the thread pool) and an `async def` route on an async engine
(aiosqlite / psycopg async). Each runs in its own uvicorn process, one worker, driven by
32 concurrent callers from this process. Prints lookups/s and p50/p99 per variant.

    python bench/sync_vs_async.py --db sqlite --rows 100000 --duration 10
    python bench/sync_vs_async.py --db postgresql --rows 100000 --duration 10

Needs the `bench` extra (aiosqlite).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import httpx
from sqlalchemy import create_engine, text

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SCHEMA = [
    "CREATE TABLE person (id_hash VARCHAR(64) PRIMARY KEY, name VARCHAR(50), marker VARCHAR(20))",
    "CREATE TABLE lookup (id VARCHAR(36) PRIMARY KEY, subject_hash VARCHAR(64), "
    "outcome VARCHAR(16))",
]


def hashes(n: int) -> list[str]:
    return [hashlib.sha256(f"person-{i}".encode()).hexdigest() for i in range(n)]


def prepare(db: str, rows: int, workdir: str) -> tuple[str, str | None]:
    if db == "sqlite":
        url = f"sqlite:///{workdir}/bench.db"
        dropname = None
    else:
        dropname = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_SERVER + "/test", isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE {dropname}"))
        admin.dispose()
        url = f"{PG_SERVER}/{dropname}"
    engine = create_engine(url)
    with engine.begin() as conn:
        if db == "sqlite":
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        for ddl in SCHEMA:
            conn.execute(text(ddl))
        conn.execute(
            text("INSERT INTO person VALUES (:h, :n, :m)"),
            [{"h": h, "n": "张三", "m": "LT-X"} for h in hashes(rows)],
        )
    engine.dispose()
    return url, dropname


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive(port: int, keys: list[str], duration: float, concurrency: int) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + duration
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

        async def caller(n: int) -> None:
            i = n
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(f"/lookup/{keys[i % len(keys)]}")
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)
                i += concurrency

        await asyncio.gather(*(caller(n) for n in range(concurrency)))
    return latencies


def run_variant(mode: str, url: str, workdir: str, args: argparse.Namespace) -> None:
    port = free_port()
    env = {**os.environ, "BENCH_URL": url, "BENCH_MODE": mode}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "_sync_async_app:app",
            "--app-dir",
            os.path.dirname(__file__),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        keys = hashes(args.rows)[:: max(1, args.rows // 5000)] + ["0" * 64] * 500
        asyncio.run(drive(port, keys, 2, args.concurrency))  # warm-up
        latencies = sorted(asyncio.run(drive(port, keys, args.duration, args.concurrency)))
    finally:
        server.terminate()
        server.wait()
    n = len(latencies)
    print(
        f"{args.db:10} {mode:5}  {n / args.duration:8.0f} lookups/s  "
        f"p50 {latencies[n // 2] * 1000:6.1f} ms  p99 {latencies[int(n * 0.99)] * 1000:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url, dropname = prepare(args.db, args.rows, workdir)
        try:
            for mode in ("sync", "async"):
                run_variant(mode, url, workdir, args)
        finally:
            if dropname:
                admin = create_engine(PG_SERVER + "/test", isolation_level="AUTOCOMMIT")
                with admin.connect() as c:
                    c.execute(text(f"DROP DATABASE IF EXISTS {dropname} WITH (FORCE)"))


if __name__ == "__main__":
    main()
