"""Instructions per priority lookup, counted by valgrind: a figure that repeats within about
1 % on a shared machine, where throughput moves by a third from one minute to the next.

Runs `_lookup_inprocess.py` (the ASGI app in-process, 32 callers, half the numbers marker
holders and half unknown, every answer a 200) under `valgrind --tool=cachegrind` twice, with
`--small` and `--large` lookups after the same warm-up, on a copy of the cached SQLite
registry of `bench/lookup.py`. Instructions per lookup = the difference of the two totals
over the difference in lookups, so start-up and warm-up cancel out. It counts the app's
own work (framework, authentication, lookup, record, log line), not the server's sockets
or the kernel's: compare commits with it, and take throughput from `floor.py`.

    python bench/lookup_cost.py                         # this checkout
    git worktree add /tmp/before 9bd50a9
    python bench/lookup_cost.py --project /tmp/before   # an older commit, the same way

Needs valgrind (`apt-get install valgrind`); a run takes two to three minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._lookup_data import UNKNOWN_FROM, person_id_number, sqlite_cache

HERE = Path(__file__).resolve().parent
TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", type=Path, default=HERE.parent, help="checkout to measure")
    parser.add_argument("--cards", type=int, default=20_000)
    parser.add_argument("--markers", type=int, default=2_000)
    parser.add_argument("--warm-up", type=int, default=500)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=2500)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    project = args.project.resolve()
    sqlite_path, key_file = sqlite_cache(args.cards, args.markers)
    holders = [person_id_number(i) for i in range(0, args.markers, 2)]
    unknown = [person_id_number(UNKNOWN_FROM + i) for i in range(len(holders))]
    with tempfile.TemporaryDirectory(prefix="bluecard-cost-") as tmp:
        work = Path(tmp)
        ids = work / "ids.txt"
        mixed = (number for pair in zip(holders, unknown, strict=True) for number in pair)
        ids.write_text("\n".join(mixed) + "\n")
        totals = {}
        for count in (args.small, args.large):
            shutil.copyfile(sqlite_path, work / "registry.db")  # each run from the same data
            env = {
                **os.environ,
                "PYTHONPATH": str(project),
                "BLUECARD_DATABASE_URL": f"sqlite:///{work / 'registry.db'}",
                "BLUECARD_KEY_FILE": str(key_file),
                "BLUECARD_RATE_LIMIT_CREDENTIAL": "1000000/second",
            }
            key = _partner_key(project, env)
            totals[count] = _instructions(project, env, ids, key, args.warm_up, count)
    per_lookup = (totals[args.large] - totals[args.small]) / (args.large - args.small)
    print(f"project {project} ({_commit(project)})")
    for count, total in totals.items():
        print(f"  {count:>6} lookups after {args.warm_up} warm-up: {total:,} instructions")
    print(f"instructions per lookup: {per_lookup:,.0f}")


def _instructions(
    project: Path, env: dict[str, str], ids: Path, key: str, warm_up: int, count: int
) -> int:
    driver = [sys.executable, str(HERE / "_lookup_inprocess.py"), str(ids), key]
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no"]
    valgrind += ["--cachegrind-out-file=/dev/null"]
    command = [*valgrind, *driver, str(warm_up), str(count)]
    done = subprocess.run(command, env=env, cwd=project, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    if done.returncode != 0 or set(result.get("statuses", {})) != {"200"}:
        own = [line for line in done.stderr.splitlines() if not line.startswith("==")]
        sys.exit(f"the in-process run failed or was refused:\n{done.stdout}" + "\n".join(own[-30:]))
    found = TOTAL.search(done.stderr)
    if found is None:
        sys.exit(f"no instruction total from valgrind:\n{done.stderr[-2000:]}")
    return int(found[1].replace(",", ""))


def _partner_key(project: Path, env: dict[str, str]) -> str:
    name = f"cost-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "app.cli", "partners", "create", "--name", name]
    command += ["--scope", "priority:housing"]
    done = subprocess.run(command, env=env, cwd=project, check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def _commit(project: Path) -> str:
    command = ["git", "-C", str(project), "rev-parse", "--short", "HEAD"]
    return subprocess.run(command, capture_output=True, text=True).stdout.strip() or "?"


if __name__ == "__main__":
    main()
