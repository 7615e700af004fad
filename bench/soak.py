"""Soak: several uvicorn workers on PostgreSQL under concurrent lookups, uploads and
approvals for a bounded time; then checks that nothing was lost, doubled or broken.

    python bench/soak.py                          # 60 s, 3 workers, on 127.0.0.1:5432
    python bench/soak.py --duration 600 --workers 4 --server postgresql://postgres@db/postgres

A throwaway database on `--server` is migrated, given a partner (all scopes), a province
admin and a city operator per city, and seeded with filed holders; then `bluecard serve
--workers N` runs under partner lookups (single, and batches of 100), city uploads (upload,
then submit) and a province admin approving whatever is pending. Afterwards: no 5xx and no
failed request; as many lookup records for the partner as lookups answered, and no batch
left in the lookup journal once the server has stopped; every talent filed once (one row per
person, each applied submission's rows all in the registry, nothing else); the audit chain
verifies. Prints the figures; exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


CITIES = ("340100", "340200", "340300", "340400")


class Tally:
    """Status counts and latencies per kind of request, shared by the load threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: list[str] = []
        self.lookup_ids: list[str] = []
        self.batch_entries = 0  # lookups answered in batches
        self.applied: list[str] = []

    def timed(
        self, kind: str, request: Callable[..., httpx.Response], *args: Any, **kwargs: Any
    ) -> httpx.Response | None:
        """`request(*args, **kwargs)`, counted and timed; None when it failed to complete."""
        started = time.perf_counter()
        try:
            answer = request(*args, **kwargs)
        except httpx.HTTPError as exc:
            with self.lock:
                self.failures.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        with self.lock:
            self.statuses[(kind, answer.status_code)] += 1
            self.latencies[kind].append(time.perf_counter() - started)
            if answer.status_code >= 500:
                self.failures.append(f"{kind}: {answer.status_code} {answer.text[:300]}")
        return answer


def main() -> int:
    args = _parse()
    from tests.databases import throwaway_database
    from tests.robustness import api  # after sys.path is set: the benchmark drives the API
    from tests.robustness.servers import Server

    os.environ["BLUECARD_TEST_DATABASE_URL"] = args.server
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(Path(tmp)) as url:
        key_file = Path(tmp) / "bluecard.keys"
        people = _People(args.seed)
        cast = _prepare(url, key_file)
        server = Server(url, key_file, Path(tmp) / "server.log", workers=args.workers)
        server.start()
        try:
            with server.client() as client:
                for city in CITIES:  # holders to find: one approved file per city
                    file = Path(tmp) / f"seed-{city}.json"
                    api.file_records(
                        client, cast["city"][city], cast["province"], people.new(city, 100), file
                    )
            tally = Tally()
            started = time.monotonic()
            _run_load(args, server, cast, people, tally, Path(tmp))
            elapsed = time.monotonic() - started
        finally:
            server.stop()
        problems = _check(url, key_file, cast, tally)
        _report(args, tally, elapsed, problems, server.tail(20) if problems else "")
        return 1 if problems else 0


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=3, help="uvicorn worker processes")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--lookup-threads", type=int, default=8)
    parser.add_argument("--rows", type=int, default=200, help="people per uploaded file")
    parser.add_argument("--seed", type=int, default=20181018)
    return parser.parse_args()


def _prepare(url: str, key_file: Path) -> dict[str, Any]:
    """Migrate; a province admin, a city operator per city, a partner with every scope."""
    from app.access import partners, service
    from app.access.rules import PARTNER_SCOPES
    from app.core.audit import SYSTEM
    from app.core.db import get_engine, session_scope
    from app.ops.migrate import upgrade
    from tests.robustness.api import bearer
    from tests.robustness.state import pointed_at

    def login(session: Any, role: str, city: str | None) -> dict[str, str]:
        username = f"soak-{role}-{city or 'province'}"
        user = service.create_user(
            session, SYSTEM, username=username, password="Soak-Test-2026", role=role, city_code=city
        )
        return bearer(service.issue_token(session, user).token)

    with pointed_at(url, key_file=key_file):
        upgrade(get_engine())
        with session_scope() as session:
            partner = partners.create_partner(
                session, SYSTEM, name="soak-partner", scopes=PARTNER_SCOPES
            )
            _, key = partners.issue_api_key(session, SYSTEM, partner)
            return {
                "partner": bearer(key),
                "partner_id": partner.id,
                "province": login(session, "province_admin", None),
                "city": {city: login(session, "city_operator", city) for city in CITIES},
            }


class _People:
    """Distinct invented people, and the numbers handed out so far (to look up)."""

    def __init__(self, seed: int) -> None:
        from tests.filing.writers import people

        self._make = people
        self._seed = seed
        self._lock = threading.Lock()
        self.numbers: list[str] = []
        self._seen: set[str] = set()

    def new(self, city: str, count: int) -> list[dict[str, Any]]:
        with self._lock:
            self._seed += 1
            fresh = [p for p in self._make(self._seed, count, city_code=city)]
            fresh = [p for p in fresh if p["id_number"] not in self._seen]
            self._seen.update(p["id_number"] for p in fresh)
            self.numbers.extend(p["id_number"] for p in fresh)
            return fresh


def _run_load(
    args: argparse.Namespace,
    server: Any,
    cast: dict[str, Any],
    people: _People,
    tally: Tally,
    tmp: Path,
) -> None:
    from tests.filing.writers import write_json
    from tests.robustness import api

    stop = threading.Event()

    def lookups(worker: int) -> None:
        rng = random.Random(worker)
        with server.client(30) as client:
            while not stop.is_set():
                number = rng.choice(people.numbers)
                answer = tally.timed("lookup", api.lookup, client, cast["partner"], number, "soak")
                if answer is not None and answer.status_code == 200:
                    with tally.lock:
                        tally.lookup_ids.append(answer.json()["lookup_id"])

    def batches() -> None:
        rng = random.Random(-1)
        with server.client(60) as client:
            while not stop.is_set():
                numbers = rng.sample(people.numbers, min(100, len(people.numbers)))
                body = {"service": "housing", "purpose": "soak batch", "id_numbers": numbers}
                answer = tally.timed(
                    "batch",
                    client.post,
                    api.path("priority_lookups"),
                    json=body,
                    headers=cast["partner"],
                )
                if answer is not None and answer.status_code == 200:
                    with tally.lock:
                        tally.batch_entries += len(numbers)

    def uploads(city: str) -> None:
        headers = cast["city"][city]
        with server.client(120) as client:
            for n in range(10**9):
                if stop.is_set():
                    return
                file = tmp / f"upload-{city}-{n}.json"
                write_json(file, people.new(city, args.rows))
                answer = tally.timed("upload", _post_file, client, headers, file)
                if answer is None or answer.status_code != 201:
                    continue
                submit = api.path("submission_submit", submission_id=answer.json()["id"])
                tally.timed("submit", client.post, submit, headers=headers)

    def approvals() -> None:
        with server.client(300) as client:
            while not stop.is_set():
                pending = tally.timed(
                    "list",
                    client.get,
                    api.path("submission_list"),
                    params={"status": "pending_review", "page_size": 200},
                    headers=cast["province"],
                )
                items = pending.json()["items"] if pending and pending.status_code == 200 else []
                for item in items:
                    if stop.is_set():
                        break
                    approved = tally.timed(
                        "approve", api.approve, client, cast["province"], item["id"]
                    )
                    if approved is not None and approved.status_code == 200:
                        with tally.lock:
                            tally.applied.append(item["id"])
                if not items:
                    time.sleep(0.2)

    threads = [threading.Thread(target=lookups, args=(w,)) for w in range(args.lookup_threads)]
    threads.append(threading.Thread(target=batches))
    threads += [threading.Thread(target=uploads, args=(city,)) for city in CITIES]
    threads.append(threading.Thread(target=approvals))
    for thread in threads:
        thread.start()
    time.sleep(args.duration)
    stop.set()
    for thread in threads:
        thread.join()


def _post_file(client: httpx.Client, headers: dict[str, str], file: Path) -> httpx.Response:
    from tests.robustness import api

    with file.open("rb") as stream:
        return client.post(
            api.path("submission_create"),
            headers=headers,
            files={"file": (file.name, stream, "application/json")},
            data={"period": "2026Q4"},
        )


def _check(url: str, key_file: Path, cast: dict[str, Any], tally: Tally) -> list[str]:
    from app.core import audit
    from app.core.db import session_scope
    from app.filing.models import Submission
    from app.lookup.models import LookupJournal, LookupRecord
    from app.registry.models import Talent
    from tests.robustness.state import pointed_at

    problems = list(tally.failures[:20])
    expected = {"lookup": {200}, "batch": {200}, "upload": {201}, "submit": {200}, "list": {200}}
    expected["approve"] = {200, 409}  # 409: the file no longer matches the registry
    unexpected = {
        key: count for key, count in tally.statuses.items() if key[1] not in expected[key[0]]
    }
    if unexpected:
        problems.append(f"unexpected answers: {unexpected}")
    with pointed_at(url, key_file=key_file), session_scope() as session:
        recorded = session.scalar(
            select(func.count())
            .select_from(LookupRecord)
            .where(LookupRecord.caller_id == cast["partner_id"])
        )
        answered = len(tally.lookup_ids) + tally.batch_entries
        if recorded != answered:
            problems.append(f"{answered} lookups answered, {recorded} recorded")
        left = session.scalar(select(func.count()).select_from(LookupJournal))
        if left:
            problems.append(f"{left} batches left in the lookup journal after the server stopped")
        talents, distinct = session.execute(
            select(func.count(), func.count(func.distinct(Talent.id_hash)))
        ).one()
        if talents != distinct:
            problems.append(f"{talents - distinct} people filed twice")
        applied = session.execute(
            select(Submission.id, Submission.counts).where(Submission.status == "applied")
        ).all()
        per_submission = dict(
            session.execute(
                select(Talent.last_submission_id, func.count()).group_by(Talent.last_submission_id)
            ).all()
        )
        for submission_id, counts in applied:
            if per_submission.get(submission_id, 0) != counts["rows"]:
                filed = per_submission.get(submission_id, 0)
                problems.append(f"submission {submission_id}: {counts['rows']} rows, {filed} filed")
        if talents != sum(counts["rows"] for _, counts in applied):
            problems.append(f"{talents} talents, but the applied submissions hold a different sum")
        started = time.perf_counter()
        chain = audit.verify(session)
        if not chain.ok:
            problems.append(f"audit chain broken at event {chain.first_bad_seq}")
        print(
            f"registry: {talents} talents from {len(applied)} applied submissions; "
            f"{recorded} lookup records; audit chain of {chain.events} events "
            f"{'holds' if chain.ok else 'BROKEN'} (verified in "
            f"{time.perf_counter() - started:.1f} s)"
        )
    return problems


def _report(
    args: argparse.Namespace, tally: Tally, elapsed: float, problems: list[str], log: str
) -> None:
    print(
        f"soak: {elapsed:.0f} s, {args.workers} workers, {args.lookup_threads} lookup threads, "
        f"{len(CITIES)} uploading cities ({args.rows} people a file), 1 approver"
    )
    for kind, latencies in sorted(tally.latencies.items()):
        codes = {code: n for (k, code), n in sorted(tally.statuses.items()) if k == kind}
        ms = sorted(1000 * x for x in latencies)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"  {kind:8} {len(ms):7} requests {len(ms) / elapsed:8.1f}/s  "
            f"p50 {statistics.median(ms):7.1f} ms  p99 {p99:8.1f} ms  {codes}"
        )
    print(f"  approvals applied: {len(tally.applied)}")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems) + "\nserver log tail:\n" + log)
    else:
        print(
            "checks: no 5xx or failed request; every answered lookup recorded (the journal "
            "emptied); no one filed "
            "twice; every applied submission's rows in the registry; audit chain verifies"
        )


if __name__ == "__main__":
    raise SystemExit(main())
