"""The `bluecard` command's exit statuses, one meaning each, and the one place that turns
an expected failure into one line on stderr and its status, never a traceback.

    0  done
    1  the check or the data says no: rows rejected, chain broken, a refusal
    2  usage: bad arguments, a file that cannot be read, invalid settings
    3  cannot reach the database, or the keys do not open the data

A cron job can alert on 3 (the service's ground is gone) apart from 1 (the data needs a
person). A traceback still means a bug.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.crypto import DecryptionError, KeyRingError
from app.core.errors import AppError

EXIT_OK = 0
EXIT_NO = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3

# The `--json` option of commands whose result a script reads.
JSON_HELP = "print the result as one JSON object on stdout, for scripts"

T = TypeVar("T")


class Unavailable(RuntimeError):
    """The command cannot work here: no database, or keys that do not open its data
    (its message, in Chinese and English, says what to do)."""


def run_command(command: Callable[[T], int], args: T) -> int:
    """Run a command; expected failures become one line on stderr and their status."""
    try:
        return command(args)
    except (Unavailable, KeyRingError, DecryptionError) as exc:
        return _fail(
            EXIT_UNAVAILABLE, str(exc) or "数据保护密钥无法使用。 The keys cannot be used."
        )
    except (OperationalError, PoolTimeout) as exc:
        return _fail(EXIT_UNAVAILABLE, database_unreachable(exc))
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _fail(EXIT_UNAVAILABLE, database_unreachable(exc))
    except AppError as exc:
        lines = [f"操作被拒绝 refused ({exc.code}): {exc.detail}"]
        lines += [
            f"  {e['field']} ({e['code']}): {e['message']}" for e in getattr(exc, "errors", [])
        ]
        return _fail(EXIT_NO, "\n".join(lines))
    except ValidationError as exc:  # the settings, read from the environment
        names = sorted({f"BLUECARD_{str(e['loc'][0]).upper()}" for e in exc.errors() if e["loc"]})
        return _fail(
            EXIT_USAGE,
            f"设置无效，请检查 {'、'.join(names)}。 Invalid settings: {', '.join(names)}.",
        )


def database_unreachable(exc: BaseException) -> str:
    """One line, Chinese then English, naming the driver's reason (never a password)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0][:200]
    if "no such table" in reason:
        return f"数据库尚未建表，请执行 bluecard db upgrade。 No schema ({reason}): run it."
    return f"无法连接数据库，请检查 BLUECARD_DATABASE_URL。 Cannot reach the database: {reason}"


def _fail(status: int, message: str) -> int:
    print(message, file=sys.stderr)
    return status
