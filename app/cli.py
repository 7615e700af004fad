"""The `bluecard` command. Thin: parses arguments and calls services.

Each domain adds its subcommands through a `register(subparsers)` function listed in
`COMMAND_GROUPS`. Every command runs through `exit_status.run_command`: expected failures
(database unreachable, keys refused, a service's refusal) are one line and a documented
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from app import __version__
from app.access.cli import register as register_access
from app.core.db import get_engine, session_scope
from app.core.exit_status import EXIT_NO, run_command
from app.core.heap import freeze_loaded
from app.core.logging import configure_logging, log_config
from app.core.settings import get_settings
from app.filing.cli import register as register_filing
from app.lookup.cli import register as register_lookups
from app.ops.audit_cli import register as register_audit
from app.ops.backup_cli import register as register_backup
from app.ops.doctor import register as register_doctor
from app.ops.keycheck import check_keys_at_start
from app.ops.keys_cli import register as register_keys
from app.ops.migrate import upgrade
from app.ops.retention import register as register_retention
from app.public.cli import register as register_roster
from app.registry.cli import register as register_registry

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

DESCRIPTION = """\
bluecard: the provincial registry of high-skill leading talents and its priority-service API.
Settings come from BLUECARD_* environment variables (BLUECARD_DATABASE_URL, BLUECARD_KEY_FILE).
"""
EPILOG = """\
exit status: 0 done; 1 the check or the data says no (rows rejected, chain broken, refused);
2 usage (bad arguments, unreadable file, invalid settings); 3 cannot reach the database,
or the keys do not open the data.
"""


def _register_core(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="migrate the database, then serve the API and pages")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (default: %(default)s)"
    )
    serve.add_argument("--demo", action="store_true", help="also load demo data, print logins")
    serve.add_argument(
        "--no-migrate", action="store_true", help="leave migrations to a separate migrate job"
    )
    serve.set_defaults(func=_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        required=True, metavar="COMMAND"
    )
    db.add_parser("upgrade", help="migrate to the latest schema").set_defaults(
        func=_db_upgrade, needs_keys=False
    )


COMMAND_GROUPS: list[Register] = [
    _register_core,
    register_access,
    register_registry,
    register_filing,
    register_audit,
    register_backup,
    register_keys,
    register_roster,
    register_doctor,
    register_retention,
    register_lookups,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bluecard",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"bluecard {__version__}",
        help="print the version and exit",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for register in COMMAND_GROUPS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # bad usage: argparse exits 2
    return run_command(_configured_then, args)


def _configured_then(args: argparse.Namespace) -> int:
    configure_logging(get_settings().log_level)
    if args.func is not _serve and getattr(args, "needs_keys", True):
        # Before any command's own transaction: on an empty database the first keys are
        # stored here (a second writer inside the command would wait on SQLite's lock), and
        # a command never works on data with keys that do not open it.
        check_keys_at_start(get_engine())  # refused: exit 3, as `run_command` says
    freeze_loaded()
    result: int = args.func(args)
    return result


def _db_upgrade(_args: argparse.Namespace) -> int:
    upgrade(get_engine())
    print("database is at the latest schema")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.demo and get_settings().is_production:
        print(
            "refusing --demo with BLUECARD_ENVIRONMENT=production: "
            "it would create logins with known passwords",
            file=sys.stderr,
        )
        return EXIT_NO
    if not args.no_migrate:
        upgrade(get_engine())
    check_keys_at_start(get_engine())  # KeysRefused: exit 3, its message
    if args.demo:
        from app.demo.load import holds_data, load_demo

        with session_scope() as session:
            if holds_data(session):
                print(
                    "refusing --demo: the database already holds users, talents or cards, "
                    "and the demo's logins have known passwords; use an empty database",
                    file=sys.stderr,
                )
                return 1
            intro = load_demo(session)
        # After uvicorn's start-up lines, so the numbers to try are the last thing on screen.
        threading.Thread(
            target=announce_when_listening, args=(args.host, args.port, intro), daemon=True
        ).start()
    logging.getLogger("bluecard").info("serving", extra={"host": args.host, "port": args.port})
    with _metrics_shared_by_workers(args.workers):
        uvicorn.run(
            "app.main:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=log_config(get_settings().log_level),
            access_log=False,
            server_header=False,  # no "server: uvicorn" to tell a scanner what to try
            **proxy_options(),
        )
    return 0


def announce_when_listening(
    host: str, port: int, lines: Sequence[str], *, patience: float = 120.0
) -> bool:
    """Print the demo's introduction once `host:port` accepts connections (False if it never
    did within `patience` seconds: then nothing is printed, as the server did not start)."""
    address = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host  # noqa: S104
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            socket.create_connection((address, port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        return False
    time.sleep(0.3)  # let uvicorn's own "running on" line go first
    shown_host = f"[{host}]" if ":" in host else host
    rule = "=" * 64
    print(
        "\n".join([rule, f"bluecard demo ready: http://{shown_host}:{port}/", *lines, rule]),
        flush=True,
    )
    return True


def proxy_options() -> dict[str, Any]:
    """uvicorn's proxy-headers handling: the client address (and scheme) is taken from
    X-Forwarded-For (-Proto) only when the peer is one of BLUECARD_TRUSTED_PROXIES."""
    return {"proxy_headers": True, "forwarded_allow_ips": get_settings().trusted_proxies}


@contextmanager
def _metrics_shared_by_workers(workers: int) -> Iterator[None]:
    """Several workers write their metrics to one fresh folder, and /metrics sums them all
    (prometheus-client's multiprocess mode); an operator's own folder is left as set."""
    if workers < 2 or "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="bluecard-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


if __name__ == "__main__":
    raise SystemExit(main())
