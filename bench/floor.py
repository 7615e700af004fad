"""Lookup throughput against the shared floor (../shared/perf, as its README describes).

Files `--records` people through the project itself (a SQLite database, the CLI for
accounts and a partner key, one city's JSON submission uploaded, submitted and approved
over the API), builds the floor's table from the same ID numbers, serves both with one
worker, and alternates `--rounds` runs of wrk with lookup.lua against each: half the IDs
unknown, the per-credential rate limit lifted so that every answer is a 200 (a run with
any other status does not count). ratio = median project requests/s / median floor's.

    python bench/floor.py                          # this checkout, 20,000 records
    git worktree add /tmp/before 7e295bf
    python bench/floor.py --project /tmp/before    # an older commit, measured the same way
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._lookup_server import ROOT, Server, running

PERF = Path("/work/shared/perf")
CITY, PERIOD, PASSWORD = "340100", "2026Q3", "Bench-Floor-pw-42"
RESULT = re.compile(r"RESULT rps=(\S+) p50_ms=(\S+) p99_ms=(\S+) non2xx=(\d+)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
Run = tuple[float, float, float]  # requests/s, p50 ms, p99 ms
_COUNTIES = ("340102", "340103", "340104", "340111", "340121", "340202", "340302")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwind: stop servers, remove files
    project = args.project.resolve()
    with tempfile.TemporaryDirectory(prefix="bluecard-floor-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "PYTHONPATH": str(project),
            "BLUECARD_DATABASE_URL": f"sqlite:///{work / 'bluecard.db'}",
            "BLUECARD_KEY_FILE": str(work / "bluecard.keys"),
            # Lifted, as lookup.py and lookup_cost.py lift it: a window of a second keeps the
            # in-memory moving window as short as the default (1200/minute) keeps it. With
            # "100000000/minute" it held every hit of the last minute (~150,000) and each hit
            # cost more than the one before: p99 went from ~20 to 65-87 ms within a minute.
            "BLUECARD_RATE_LIMIT_CREDENTIAL": "1000000/second",
        }
        filed, unknown = _id_numbers(args.records)
        ids = filed + unknown
        random.Random(1).shuffle(ids)
        (work / "ids.txt").write_text("\n".join(ids) + "\n")
        (work / "holders.txt").write_text("\n".join(filed) + "\n")  # the floor's first N
        print(f"project: {project} ({_commit(project)}); filing {args.records} records ...")
        key = _setup(project, env)
        serve = [sys.executable, "-m", "app.cli", "serve", "--port", "{port}", "--workers", "1"]
        with running(serve, env, work / "server.log", cwd=project) as server:
            _file(f"http://127.0.0.1:{server.port}", filed, unknown[0], key)
            with _floor(work, args.records) as floor:
                targets = {"project": (server.port, key), "floor": (floor.port, "")}
                runs = _alternate(targets, work / "ids.txt", args.rounds, args.duration)
    _report(runs)


def _id_numbers(n: int) -> tuple[list[str], list[str]]:
    """2n distinct valid ID numbers (GB 11643 check character): n to file, n unknown."""
    rng, numbers = random.Random(7), set[str]()
    while len(numbers) < 2 * n:
        first17 = (
            f"{rng.choice(_COUNTIES)}{rng.randint(1960, 1995)}"
            f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
        numbers.add(first17 + "10X98765432"[total % 11])
    ordered = sorted(numbers)
    rng.shuffle(ordered)
    return ordered[:n], ordered[n:]


def _cli(project: Path, env: dict[str, str], *args: str, stdin: str = "") -> str:
    command = [sys.executable, "-m", "app.cli", *args]
    done = subprocess.run(
        command, env=env, cwd=project, input=stdin, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _setup(project: Path, env: dict[str, str]) -> str:
    """Migrate, create the two accounts and the partner; return the partner's API key."""
    _cli(project, env, "db", "upgrade")
    for username, role, city in (("perf-city", "city_operator", ["--city", CITY]),
                                 ("perf-admin", "province_admin", [])):  # fmt: skip
        create = ["users", "create", "--username", username, "--role", role, *city]
        _cli(project, env, *create, "--password-stdin", stdin=PASSWORD + "\n")
    created = _cli(
        project, env, "partners", "create", "--name", "perf", "--scope", "priority:housing"
    )
    return created.strip().splitlines()[-1]


def _record(n: int, id_number: str) -> dict[str, object]:
    note = "长期坚守生产一线岗位，攻克多项关键工艺难题"
    return {
        "action": "upsert", "id_number": id_number, "name": f"测试人员{n:05d}",
        "employer": "合肥精密机械有限公司", "occupation": "数控车工",
        "skill_level": "senior_technician", "frontline_since": 2005,
        "conditions": {c: {"met": True, "note": note}
                       for c in ("contribution", "skill_performance", "frontline")},
        "honors": [{"category": "national_technical_expert", "title": "全国技术能手",
                    "conferred_by": "人力资源社会保障部", "year": 2018}],
    }  # fmt: skip


def _file(base: str, filed: list[str], unknown: str, key: str) -> None:
    """Upload one submission as the city, submit it, approve it as the province; check that
    the partner finds a filed person and not an unknown one."""
    with httpx.Client(base_url=base, timeout=1800) as client:

        def bearer(username: str) -> dict[str, str]:
            form = {"username": username, "password": PASSWORD}
            answer = client.post("/api/v1/auth/token", data=form).raise_for_status()
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        city, admin = bearer("perf-city"), bearer("perf-admin")
        body = json.dumps({"records": [_record(n, i) for n, i in enumerate(filed)]})
        files = {"file": ("perf.json", body.encode(), "application/json")}
        upload = client.post(
            "/api/v1/submissions", headers=city, data={"period": PERIOD}, files=files
        )
        submission = upload.raise_for_status().json()
        if submission["status"] != "validated":
            raise RuntimeError(f"the submission did not validate: {submission}")
        path = f"/api/v1/submissions/{submission['id']}"
        client.post(f"{path}/submit", headers=city).raise_for_status()
        approved = client.post(f"{path}/approve", headers=admin).raise_for_status().json()
        print(f"filed: {approved['status']}, counts {approved['counts']}")
        partner = {"Authorization": f"Bearer {key}"}
        for number, expected in ((filed[0], True), (unknown, False)):
            query = {"id_number": number, "service": "housing", "purpose": "perf check"}
            answer = client.post("/api/v1/priority/lookup", headers=partner, json=query)
            if answer.raise_for_status().json()["priority"] is not expected:
                raise RuntimeError(f"a lookup answered {answer.json()}")


def _floor(work: Path, records: int) -> AbstractContextManager[Server]:
    """Build the floor's table from holders.txt, then serve it."""
    env = {**os.environ, "FLOOR_DB": str(work / "floor.db")}
    build = [sys.executable, "floor_app.py", "build", str(records), str(work / "holders.txt")]
    subprocess.run(build, env=env, cwd=PERF, check=True)
    serve = [sys.executable, "-m", "uvicorn", "floor_app:app", "--port", "{port}"]
    return running([*serve, "--log-level", "warning"], env, work / "floor.log", cwd=PERF)


def _alternate(
    targets: dict[str, tuple[int, str]], ids: Path, rounds: int, duration: int
) -> dict[str, list[Run]]:
    """Rounds of wrk against each target (port, token) in turn; the runs that count."""
    runs: dict[str, list[Run]] = {name: [] for name in targets}
    for n in range(1, rounds + 1):
        for name, (port, token) in targets.items():
            rps, p50, p99, non2xx = _wrk(port, token, ids, duration)
            print(
                f"round {n}  {name:7}  {rps:7.0f}/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms", end=""
            )
            print(f"  non2xx {non2xx}")
            if non2xx:
                print(f"!!! {name} round {n}: {non2xx} answers not 2xx; THIS RUN DOES NOT COUNT")
            else:
                runs[name].append((rps, p50, p99))
    return runs


def _wrk(port: int, token: str, ids: Path, duration: int) -> tuple[float, float, float, int]:
    script, url = str(PERF / "lookup.lua"), f"http://127.0.0.1:{port}"
    command = ["wrk", "-t1", "-c32", f"-d{duration}s", "-s", script, url]
    env = {**os.environ, "IDS_FILE": str(ids), "TOKEN": token}
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    found = RESULT.search(output)
    if found is None:
        raise RuntimeError(f"no RESULT line from wrk:\n{output}")
    return float(found[1]), float(found[2]), float(found[3]), int(found[4])


def _report(runs: dict[str, list[Run]]) -> None:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average now {load} (other work on the machine skews the figures)")
    if not all(runs.values()):
        sys.exit("!!! no counted run on one side: no ratio")
    medians = {}
    for name, counted in runs.items():
        medians[name] = statistics.median(rps for rps, _, _ in counted)
        p99 = statistics.median(p99 for _, _, p99 in counted)
        print(f"median {name:7}  {medians[name]:7.0f}/s  p99 {p99:7.2f} ms", end="")
        print(f"  ({len(counted)} counted runs)")
    print(f"ratio  {medians['project'] / medians['floor']:.3f}  (median project / median floor)")


def _commit(project: Path) -> str:
    command = ["git", "-C", str(project), "rev-parse", "--short", "HEAD"]
    done = subprocess.run(command, capture_output=True, text=True)
    return done.stdout.strip() or "not a git checkout"


if __name__ == "__main__":
    main()
