"""The benchmark's population: deterministic fictitious people, loaded in bulk.

Person `i` always has the same valid ID number (`person_id_number(i)`), so the driver can
ask about card holders, marker holders, dependents and unknown people without reading the
database. Persons 0..markers-1 are filed talents holding a marker (90 % active, 5 % expired,
3 % suspended, 2 % revoked); every tenth talent has a registered child; persons
markers..cards-1 are plain blue-card holders; persons from `UNKNOWN_FROM` on are nobody.

The SQLite database is built once per size and kept under /tmp with its key file; a
PostgreSQL database is filled from that file with COPY (no re-encryption needed).
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, insert, text

from app.core.crypto import KeyRing
from app.demo.fakes import COUNTY_CODES
from app.ops.migrate import upgrade
from app.registry.identifiers import id_check_character
from app.registry.models import BlueCard, Dependent, Honor, Marker, Talent

CACHE_DIR = Path(os.environ.get("BLUECARD_BENCH_CACHE", "/tmp/bluecard-bench"))
CHILD_FROM = 500_000_000  # person index of the child of talent i: CHILD_FROM + i
UNKNOWN_FROM = 900_000_000
_COUNTIES = tuple(code for codes in COUNTY_CODES.values() for code in codes)
_FIRST_DAY = date(1960, 1, 1)
_DAYS = (date(1995, 12, 31) - _FIRST_DAY).days + 1
_SPACE = len(_COUNTIES) * _DAYS * 999
_STRIDE = 2_654_435_761  # odd and prime: i -> i * stride mod space scatters indexes
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉文建国志红春海林峰辉斌"
_CATEGORIES = (
    "national_model_worker",
    "may_day_labour_medal",
    "china_skills_award",
    "national_technical_expert",
    "special_allowance",
    "provincial_hpcs",
)
_CHUNK = 20_000


def person_id_number(i: int) -> str:
    """A valid ID number unique to index i (a bijection of the index space, scattered)."""
    n = (i * _STRIDE) % _SPACE
    county = _COUNTIES[n % len(_COUNTIES)]
    n //= len(_COUNTIES)
    born = _FIRST_DAY + timedelta(days=n % _DAYS)
    first17 = f"{county}{born:%Y%m%d}{1 + n // _DAYS:03d}"
    return first17 + id_check_character(first17)


def marker_status(i: int, today: date) -> tuple[str, date]:
    bucket = i % 100
    if bucket < 90:
        return "active", today + timedelta(days=365 + i % 700)
    if bucket < 95:
        return "active", today - timedelta(days=1 + i % 300)  # expired
    return ("suspended" if bucket < 98 else "revoked"), today + timedelta(days=400)


def sqlite_cache(cards: int, markers: int) -> tuple[Path, Path]:
    """The cached database and key file for this size, built if missing."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    db_path = CACHE_DIR / f"lookup-{cards}-{markers}.db"
    key_path = CACHE_DIR / f"lookup-{cards}-{markers}.keys"
    if not db_path.exists():
        started = time.perf_counter()
        partial = db_path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        keyring = KeyRing.generate()
        _save_version_1(keyring, key_path)
        _build_sqlite(partial, keyring, cards, markers)
        partial.rename(db_path)
        print(f"built {db_path} in {time.perf_counter() - started:.0f} s", flush=True)
    # A cache built under an older schema is brought to the latest one.
    engine = create_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    engine.dispose()
    return db_path, key_path


def _save_version_1(keyring: KeyRing, path: Path) -> None:
    """A version-1 key file (the data keys themselves): the server imports it into the
    database on its first start, wrapped under a key-encryption key derived from it."""
    keys = {kid: base64.b64encode(key).decode() for kid, key in keyring.data_keys.items()}
    index_key = base64.b64encode(keyring.index_key).decode()
    data = {"version": 1, "current": keyring.current_kid, "keys": keys, "index_key": index_key}
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def fill_postgres(url: str, sqlite_path: Path) -> None:
    """Migrate the (empty) PostgreSQL database and COPY the registry tables into it."""
    engine = create_engine(url)
    upgrade(engine)
    source = sqlite3.connect(sqlite_path)
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        cursor.execute("SET TIME ZONE 'UTC'")
        for table in ("blue_card", "talent", "marker", "honor", "dependent"):
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
        for table in ("blue_card", "talent", "marker", "honor", "dependent"):
            conn.execute(text(f"ANALYZE {table}"))
    source.close()
    engine.dispose()


def _build_sqlite(path: Path, keyring: KeyRing, cards: int, markers: int) -> None:
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    today = datetime.now(UTC).date()
    tables: list[tuple[Table, Any]] = [
        (BlueCard.__table__, _cards(keyring, cards)),  # type: ignore[list-item]
        (Talent.__table__, _talents(keyring, markers, today)),  # type: ignore[list-item]
    ]
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        for table, rows in tables:
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)
        talent_ids = [
            uuid.UUID(hex=h)
            for (h,) in conn.exec_driver_sql("SELECT id FROM talent ORDER BY rowid")
        ]
        for table, rows in (
            (Marker.__table__, _markers(talent_ids, today)),
            (Honor.__table__, _honors(talent_ids)),
            (Dependent.__table__, _children(keyring, talent_ids)),
        ):
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)  # type: ignore[arg-type]
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def _name(i: int) -> str:
    return _SURNAMES[i % len(_SURNAMES)] + _GIVEN[(i // 7) % len(_GIVEN)] + _GIVEN[i % 31]


def _city(id_number: str) -> str:
    return id_number[:4] + "00"


def _cards(keyring: KeyRing, cards: int) -> Iterator[dict[str, Any]]:
    issued = date(2020, 1, 1)
    for i in range(cards):
        number = person_id_number(i)
        yield {
            "card_no": f"AH{_city(number)}{i:08d}",
            "id_hash": keyring.blind_index(number),
            "id_cipher": keyring.encrypt(number, context="blue_card.id_number"),
            "name": _name(i),
            "city_code": _city(number),
            "occupation": "数控车工",
            "skill_level": "senior_technician",
            "issued_on": issued,
        }


def _talents(keyring: KeyRing, markers: int, today: date) -> Iterator[dict[str, Any]]:
    for i in range(markers):
        number = person_id_number(i)
        yield {
            "id": uuid.uuid4(),
            "id_hash": keyring.blind_index(number),
            "id_cipher": keyring.encrypt(number, context="talent.id_number"),
            "name": _name(i),
            "gender": "M" if int(number[16]) % 2 else "F",
            "city_code": _city(number),
            "employer": "合肥恒通精密机械有限公司",
            "occupation": "数控车工",
            "skill_level": "senior_technician",
            "card_no": f"AH{_city(number)}{i:08d}",
            "contribution_met": True,
            "skill_performance_met": True,
            "frontline_met": True,
            "status": "filed",
            "eligible": True,
            "rules_version": "2018-10-18/1",
            "first_filed_on": today - timedelta(days=400),
            "filed_on": today - timedelta(days=30),
            "version": 1,
        }


def _markers(talent_ids: list[uuid.UUID], today: date) -> Iterator[dict[str, Any]]:
    # Talents were inserted in index order, so talent_ids[i] is person i.
    for i, talent_id in enumerate(talent_ids):
        status, valid_until = marker_status(i, today)
        yield {
            "id": uuid.uuid4(),
            "talent_id": talent_id,
            "code": f"LT-{uuid.uuid4().hex[:12].upper()}",
            "status": status,
            "granted_on": today - timedelta(days=400),
            "valid_until": valid_until,
            "change_source": "eligibility",
        }


def _honors(talent_ids: list[uuid.UUID]) -> Iterator[dict[str, Any]]:
    for i, talent_id in enumerate(talent_ids):
        yield {"talent_id": talent_id, "position": 0, "category": _CATEGORIES[i % 6]}


def _children(keyring: KeyRing, talent_ids: list[uuid.UUID]) -> Iterator[dict[str, Any]]:
    for i in range(0, len(talent_ids), 10):
        number = person_id_number(CHILD_FROM + i)
        yield {
            "talent_id": talent_ids[i],
            "position": 0,
            "relation": "child",
            "id_hash": keyring.blind_index(number),
            "id_cipher": keyring.encrypt(number, context="dependent.id_number"),
            "name": _name(CHILD_FROM + i),
        }


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
