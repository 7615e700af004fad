"""Priority-lookup benchmark: the real server against a floor, on SQLite and PostgreSQL.

Loads `--cards` blue-card holders of whom `--markers` hold markers (the SQLite file is
built once per size and cached under /tmp/bluecard-bench; PostgreSQL gets a throwaway
database filled from it), creates a partner API key with the `bluecard` CLI, starts
`bluecard serve` (one worker), and drives it from a separate process with 32 concurrent
callers: marker holders, dependents, plain card holders, unknown and invalid numbers mixed.
Then the batch endpoint (1000 IDs a request), then the floor (`_lookup_floor.py`: a raw
ASGI app doing only the indexed select and the insert) with the same single-lookup load.

    python bench/lookup.py                                   # 1,000,000 / 100,000, both DBs
    python bench/lookup.py --cards 20000 --markers 2000 --duration 3 --db sqlite

Targets (2 cores, one worker): ratio to the floor >= 0.3, p99 < 50 ms at 32 callers,
batch >= 20,000 IDs/s. Besides throughput it prints the server process's CPU time per
request, which other load on the machine distorts far less. Finally checks that no ID
number reached the server's log.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._lookup_data import (
    CHILD_FROM,
    UNKNOWN_FROM,
    fill_postgres,
    person_id_number,
    sqlite_cache,
)
from bench._lookup_server import Server, running

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SERVICES = ("employment", "social_insurance", "medical", "education", "housing", "hukou")
HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--markers", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch-concurrency", type=int, default=4)
    args = parser.parse_args()
    # A plain `kill` still drops the throwaway database and stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sqlite_path, key_file = sqlite_cache(args.cards, args.markers)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bluecard-bench-") as tmp:
        work = Path(tmp)
        singles, numbers = _single_bodies(rng, args.cards, args.markers, 20_000)
        batches = _batch_bodies(rng, args.cards, args.markers, 40)
        (work / "single.jsonl").write_text("\n".join(singles), encoding="utf-8")
        (work / "batch.jsonl").write_text("\n".join(batches), encoding="utf-8")
        per_second: dict[str, float] = {}
        for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            with _database(db, sqlite_path, work) as url:
                env = {
                    **os.environ,
                    "BLUECARD_DATABASE_URL": url,
                    "BLUECARD_KEY_FILE": str(key_file),
                }
                results = _measure(env, work, args)
                _report(db, results, numbers, work)
                per_second[db] = results["single"]["per_second"]
        if len(per_second) == 2:
            ratio = per_second["postgresql"] / per_second["sqlite"]
            print(f"\npostgresql / sqlite single lookups: {ratio:.2f}  (target >= 0.8)")


def _measure(env: dict[str, str], work: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {
        **env,
        # Every answer must be an answer, not a refusal: both limits a batch counts against.
        "BLUECARD_RATE_LIMIT_CREDENTIAL": "1000000/second",
        "BLUECARD_RATE_LIMIT_IDS": "1000000000/second",
        "BLUECARD_LOG_LEVEL": "INFO",
    }
    key = _partner_key(env)
    results: dict[str, Any] = {}
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", "{port}", "--workers", "1"]
    with running(serve, env, work / "server.log") as server:
        results["single"] = _drive(
            server,
            "/api/v1/priority/lookup",
            work / "single.jsonl",
            key,
            args.concurrency,
            args.duration,
        )
        results["batch"] = _drive(
            server,
            "/api/v1/priority/lookups",
            work / "batch.jsonl",
            key,
            args.batch_concurrency,
            args.duration,
        )
    floor = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench._lookup_floor:app",
        "--port",
        "{port}",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    floor_env = {**env, "BENCH_URL": env["BLUECARD_DATABASE_URL"]}
    with running(floor, floor_env, work / "floor.log") as server:
        results["floor"] = _drive(
            server, "/", work / "single.jsonl", key, args.concurrency, args.duration
        )
    return results


def _drive(
    server: Server, path: str, bodies: Path, key: str, concurrency: int, duration: float
) -> dict[str, Any]:
    """A warm-up run, then the measured one, costing the server's CPU time per request."""

    def run(seconds: float) -> dict[str, Any]:
        command = [
            sys.executable, str(HERE / "_lookup_drive.py"), "--port", str(server.port),
            "--path", path, "--bodies", str(bodies), "--key", key,
            "--concurrency", str(concurrency), "--duration", str(seconds), "--warmup", "0",
        ]  # fmt: skip
        output = subprocess.run(
            command, check=True, capture_output=True, text=True, timeout=seconds + 180
        ).stdout
        return dict(json.loads(output.strip().splitlines()[-1]))

    run(2)
    cpu_before = server.cpu_seconds()
    result = run(duration)
    result["cpu_ms"] = (server.cpu_seconds() - cpu_before) * 1000 / max(1, result["requests"])
    return result


def _report(db: str, results: dict[str, Any], numbers: list[str], work: Path) -> None:
    single, batch, floor = results["single"], results["batch"], results["floor"]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n== {db}   (load average now {load}: other work on the machine skews figures)")
    for name, row in (("lookup", single), ("floor", floor)):
        print(
            f"{name:8} {row['per_second']:8.0f} lookups/s  p50 {row['p50_ms']:6.1f} ms  "
            f"p99 {row['p99_ms']:6.1f} ms  server CPU {row['cpu_ms']:.2f} ms/lookup  "
            f"statuses {row['statuses']}"
        )
    print(
        f"ratio    {single['per_second'] / floor['per_second']:8.2f} by throughput, "
        f"{floor['cpu_ms'] / single['cpu_ms']:.2f} by server CPU per lookup  (target >= 0.3; "
        "p99 target < 50 ms)"
    )
    print(
        f"batch    {batch['per_second'] * 1000:8.0f} IDs/s  ({batch['per_second']:.1f} requests "
        f"of 1000/s, p50 {batch['p50_ms']:.0f} ms, server CPU {batch['cpu_ms']:.0f} ms/request "
        f"= {1e6 / batch['cpu_ms']:.0f} IDs per CPU-second, statuses {batch['statuses']})  "
        "(target >= 20,000 IDs/s)"
    )
    if set(batch["statuses"]) != {"200"}:
        print("!!! the batch run had answers other than 200: its figure does not count")
    log = (work / "server.log").read_text(encoding="utf-8", errors="replace")
    leaked = sum(1 for number in numbers if number in log)
    print(f"server log: {len(log.splitlines())} lines, ID numbers found in it: {leaked}")


def _single_bodies(
    rng: random.Random, cards: int, markers: int, count: int
) -> tuple[list[str], list[str]]:
    bodies, numbers = [], []
    for n in range(count):
        number, service = _subject(rng, cards, markers)
        numbers.append(number)
        bodies.append(
            json.dumps({"id_number": number, "service": service, "purpose": f"bench {n}"})
        )
    return bodies, numbers


def _batch_bodies(rng: random.Random, cards: int, markers: int, count: int) -> list[str]:
    return [
        json.dumps({
            "service": "education",
            "purpose": f"bench batch {n}",
            "id_numbers": [_subject(rng, cards, markers)[0] for _ in range(1000)],
        })
        for n in range(count)
    ]  # fmt: skip


def _subject(rng: random.Random, cards: int, markers: int) -> tuple[str, str]:
    """One asked-about person: 45 % marker holders, 10 % their children, 20 % plain card
    holders, 15 % unknown, 10 % invalid (a wrong check character)."""
    roll = rng.random()
    if roll < 0.45:
        return person_id_number(rng.randrange(markers)), rng.choice(SERVICES)
    if roll < 0.55:
        return person_id_number(CHILD_FROM + rng.randrange(0, markers, 10)), "education"
    if roll < 0.75:
        return person_id_number(rng.randrange(markers, cards)), rng.choice(SERVICES)
    if roll < 0.90:
        return person_id_number(UNKNOWN_FROM + rng.randrange(10**6)), rng.choice(SERVICES)
    number = person_id_number(rng.randrange(cards))
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong, rng.choice(SERVICES)


def _partner_key(env: dict[str, str]) -> str:
    scopes = [arg for s in SERVICES for arg in ("--scope", f"priority:{s}")]
    name = f"bench-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "app.cli", "partners", "create", "--name", name, *scopes]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return output.strip().splitlines()[-1]


class _database:
    """The SQLite cache as is, or a throwaway PostgreSQL database filled from it."""

    def __init__(self, db: str, sqlite_path: Path, work: Path) -> None:
        self.db, self.sqlite_path, self.work = db, sqlite_path, work
        self.name = f"bluecard_bench_{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> str:
        if self.db == "sqlite":
            # A copy, so each run starts from the same data (lookups add records).
            copy = self.work / self.sqlite_path.name
            shutil.copyfile(self.sqlite_path, copy)
            return f"sqlite:///{copy}"
        self._admin(f'CREATE DATABASE "{self.name}"')
        url = f"{PG_SERVER}/{self.name}"
        print(f"filling PostgreSQL database {self.name} ...", flush=True)
        fill_postgres(url, self.sqlite_path)
        return url

    def __exit__(self, *exc: object) -> None:
        if self.db == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(statement))
        admin.dispose()


if __name__ == "__main__":
    main()
