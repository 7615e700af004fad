"""`bluecard doctor`: settings, database, schema, keys against the data, Redis. Each check
says what is wrong; exit 3 when the database cannot be reached or the keys do not open the
data, 1 when anything else is wrong (`core.exit_status`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from app.core.db import READ_ONLY, get_engine
from app.core.exit_status import (
    EXIT_NO,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    JSON_HELP,
    Unavailable,
    database_unreachable,
)
from app.core.settings import get_settings
from app.ops.keycheck import open_keyring
from app.ops.migrate import current_revision, head_revision, schema_serves

Check = Callable[[], str]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="check settings, database, keys and Redis",
        description="Exit 0: all is well; 1: something is wrong (named); 3: the database "
        "cannot be reached or the keys do not open its data.",
    )
    doctor.add_argument("--json", action="store_true", help=JSON_HELP)
    doctor.set_defaults(func=_doctor, needs_keys=False)


def _doctor(args: argparse.Namespace) -> int:
    status = EXIT_OK
    results = []
    for name, check in (
        ("settings", _settings),
        ("database", _database),
        ("keys", _keys),
        ("redis", _redis),
    ):
        try:
            results.append({"check": name, "ok": True, "detail": check()})
        except Exception as exc:  # every failure is reported, none stops the others
            unavailable = isinstance(exc, (Unavailable, OperationalError, DBAPIError))
            status = max(status, EXIT_UNAVAILABLE if unavailable else EXIT_NO)
            detail = database_unreachable(exc) if isinstance(exc, DBAPIError) else str(exc)
            results.append({"check": name, "ok": False, "detail": detail})
    if args.json:
        print(json.dumps({"ok": status == EXIT_OK, "checks": results}, ensure_ascii=False))
    else:
        for result in results:
            mark = "ok     " if result["ok"] else "PROBLEM"
            print(f"{mark} {result['check']}: {result['detail']}")
    return status


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
        keyring = open_keyring(connection)  # KeysRefused says what is wrong
    return f"the keys open the stored data (current key {keyring.current_kid})"


def _redis() -> str:
    url = get_settings().redis_url
    if not url:
        return "not configured (rate limits counted per process)"
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    return "answers"
