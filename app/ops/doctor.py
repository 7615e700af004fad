"""`bluecard doctor`: settings, database, schema, keys against the data, Redis. Each check
says what is wrong; exit 1 when anything is."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from pydantic import ValidationError
from sqlalchemy import text

from app.core.db import READ_ONLY, get_engine
from app.core.settings import get_settings
from app.ops.keycheck import KeysRefused, open_keyring
from app.ops.migrate import current_revision, head_revision, schema_serves

Check = Callable[[], str]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = sub.add_parser("doctor", help="check settings, database, keys and Redis")
    doctor.set_defaults(func=_doctor, needs_keys=False)


def _doctor(_args: argparse.Namespace) -> int:
    failed = 0
    for name, check in (
        ("settings", _settings),
        ("database", _database),
        ("keys", _keys),
        ("redis", _redis),
    ):
        try:
            print(f"ok      {name}: {check()}")
        except Exception as exc:  # every failure is reported, none stops the others
            failed += 1
            print(f"PROBLEM {name}: {exc}")
    return 1 if failed else 0


def _settings() -> str:
    try:
        settings = get_settings()
    except ValidationError as exc:
        raise RuntimeError(f"设置无效 invalid settings: {exc.error_count()} error(s)") from exc
    return f"environment {settings.environment}"


def _database() -> str:
    with get_engine().connect().execution_options(**{READ_ONLY: True}) as connection:
        connection.execute(text("SELECT 1"))
        current = current_revision(connection)
    if not schema_serves(current):
        raise RuntimeError(
            "数据库结构落后，请执行 bluecard db upgrade。"
            f" Schema {current} is behind {head_revision()}: run bluecard db upgrade."
        )
    return f"{get_engine().dialect.name}, schema {current}"


def _keys() -> str:
    with get_engine().connect().execution_options(**{READ_ONLY: True}) as connection:
        try:
            keyring = open_keyring(connection)
        except KeysRefused as refused:
            raise RuntimeError(str(refused)) from refused
    return f"the keys open the stored data (current key {keyring.current_kid})"


def _redis() -> str:
    url = get_settings().redis_url
    if not url:
        return "not configured (rate limits counted per process)"
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    return "answers"
