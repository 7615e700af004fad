"""One case of the import benchmark, in a process of its own (so its peak memory is its own).

    python bench/_import_case.py CASE DATABASE_URL FILE ROWS SEED

CASE is `floor` (the registry's rows by plain executemany, no validation), `valid`
(validate, submit, approve through the service; then the same file again, every row
unchanged, as a re-filing) or `bad` (validate a file with bad rows).
Prints one JSON object: phase timings in seconds, counts and the peak RSS in MB.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["BLUECARD_DATABASE_URL"] = sys.argv[2]
os.environ["BLUECARD_KEY_FILE"] = str(Path(tempfile.mkdtemp()) / "bench.keys")
os.environ.setdefault("BLUECARD_ENVIRONMENT", "bench")

from _import_data import CITY, records
from sqlalchemy import insert, text

from app.core.audit import NamedActor
from app.core.db import get_engine, session_scope
from app.core.heap import freeze_loaded
from app.filing import review
from app.filing.intake import take_in
from app.filing.models import Submission
from app.filing.upload import hashed_upload
from app.ops.migrate import upgrade
from app.registry.markers import local_today
from app.registry.models import Dependent, Honor, Talent

BATCH = 1000
CITY_ACTOR = NamedActor("bench:city", "city_operator")
PROVINCE_ACTOR = NamedActor("bench:province", "province_admin")


def main() -> None:
    case, _, file, rows, seed = sys.argv[1:6]
    upgrade(get_engine())
    freeze_loaded()  # as the server and the command line do before their work
    if case == "floor":
        result = {"insert": floor(int(rows), int(seed))}
    else:
        result = import_file(Path(file), approve=case == "valid")
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def import_file(path: Path, *, approve: bool) -> dict[str, Any]:
    """Validate (and approve) the file; then, to time a re-filing, the same file again."""
    submission_id, result = validate(path)
    if approve:
        result |= approve_submission(submission_id)
        # Autovacuum analyses a table soon after a large change; the re-filing comes straight
        # after, so analyse now (PostgreSQL plans against the empty tables' statistics).
        with session_scope() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
        again, refiled = validate(path)
        result["refile_counts"] = refiled["counts"]
        result |= {f"refile_{key}": value for key, value in refiled.items() if key != "counts"}
        result |= {f"refile_{k}": v for k, v in approve_submission(again).items()}
    return result


def validate(path: Path) -> tuple[uuid.UUID, dict[str, Any]]:
    started, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as stream, session_scope() as session:
        submission = take_in(
            session,
            CITY_ACTOR,
            hashed_upload(stream, path.name),
            city_code=CITY,
            period="2026Q4",
            idempotency_key=None,
            today=local_today(),
        ).submission
        submission_id, counts = submission.id, submission.counts
    return submission_id, {
        "validate": time.perf_counter() - started,
        "validate_cpu": time.process_time() - cpu,
        "counts": counts,
    }


def approve_submission(submission_id: uuid.UUID) -> dict[str, float]:
    with session_scope() as session:
        review.submit(session, CITY_ACTOR, _submission(session, submission_id))
    started, cpu = time.perf_counter(), time.process_time()
    with session_scope() as session:
        submission = _submission(session, submission_id)
        review.approve(session, PROVINCE_ACTOR, submission, today=local_today())
    return {"approve": time.perf_counter() - started, "approve_cpu": time.process_time() - cpu}


def floor(rows: int, seed: int) -> float:
    """Seconds to insert the file's people, honours and dependents by plain executemany,
    in one transaction like an approval (building the row dicts is not timed)."""
    spent = 0.0
    batch: list[dict[str, Any]] = []
    with session_scope() as session:
        for record in records(seed, rows):
            batch.append(record)
            if len(batch) == BATCH:
                spent += _insert_plainly(session, batch)
                batch = []
        if batch:
            spent += _insert_plainly(session, batch)
        started = time.perf_counter()
    return spent + time.perf_counter() - started  # the commit


def _insert_plainly(session: Any, batch: list[dict[str, Any]]) -> float:
    today = local_today()
    talents, honors, dependents = [], [], []
    for record in batch:
        talent_id = uuid.uuid4()
        digest = hashlib.sha256(record["id_number"].encode()).hexdigest()
        conditions = record["conditions"]
        talents.append(
            {
                "id": talent_id,
                "id_hash": digest,
                "id_cipher": digest,
                "name": record["name"],
                "gender": "M",
                "city_code": CITY,
                "employer": record["employer"],
                "employer_uscc": record["employer_uscc"],
                "occupation": record["occupation"],
                "skill_level": record["skill_level"],
                "card_no": record["card_no"],
                "frontline_since": record["frontline_since"],
                **{f"{c}_met": conditions[c]["met"] for c in conditions},
                **{f"{c}_note": conditions[c]["note"] for c in conditions},
                "status": "filed",
                "eligible": True,
                "rules_version": "bench",
                "first_filed_on": today,
                "filed_on": today,
                "version": 1,
            }
        )
        honors += [
            {"talent_id": talent_id, "position": i, **h} for i, h in enumerate(record["honors"])
        ]
        dependents += [
            {
                "talent_id": talent_id,
                "position": i,
                "relation": d["relation"],
                "id_hash": hashlib.sha256(d["id_number"].encode()).hexdigest(),
                "id_cipher": d["id_number"],
                "name": d["name"],
            }
            for i, d in enumerate(record["dependents"])
        ]
    started = time.perf_counter()
    session.execute(insert(Talent), talents)
    session.execute(insert(Honor), honors)
    if dependents:
        session.execute(insert(Dependent), dependents)
    return time.perf_counter() - started


def _submission(session: Any, submission_id: uuid.UUID) -> Submission:
    submission = session.get(Submission, submission_id)
    assert submission is not None
    return submission


if __name__ == "__main__":
    main()
