"""The `bluecard` command. Thin: parses arguments and calls services.

Each domain adds its subcommands through a `register(subparsers)` function listed in
`COMMAND_GROUPS`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from app import __version__
from app.access.cli import register as register_access
from app.core import audit
from app.core.db import get_engine, session_scope
from app.core.logging import configure_logging, log_config
from app.core.settings import get_settings
from app.filing.cli import register as register_filing
from app.lookup.cli import register as register_lookups
from app.ops.backup_cli import register as register_backup
from app.ops.doctor import register as register_doctor
from app.ops.keycheck import KeysRefused, check_keys_at_start
from app.ops.keys_cli import register as register_keys
from app.ops.migrate import upgrade
from app.public.cli import register as register_roster
from app.registry.cli import register as register_registry

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _register_core(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="migrate the database, then serve the API and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="also load demo data, print logins")
    serve.add_argument(
        "--no-migrate", action="store_true", help="leave migrations to a separate migrate job"
    )
    serve.set_defaults(func=_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(required=True)
    db.add_parser("upgrade", help="migrate to the latest schema").set_defaults(func=_db_upgrade)

    audit_cmd = sub.add_parser("audit", help="the audit chain").add_subparsers(required=True)
    verify = audit_cmd.add_parser("verify", help="exit 0 when the chain holds, 1 when not")
    verify.set_defaults(func=_audit_verify)


COMMAND_GROUPS: list[Register] = [
    _register_core,
    register_access,
    register_registry,
    register_filing,
    register_backup,
    register_keys,
    register_roster,
    register_doctor,
    register_lookups,
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bluecard", description=__doc__)
    parser.add_argument("--version", action="version", version=f"bluecard {__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for register in COMMAND_GROUPS:
        register(sub)
    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    result: int = args.func(args)
    return result


def _db_upgrade(_args: argparse.Namespace) -> int:
    upgrade(get_engine())
    print("database is at the latest schema")
    return 0


def _audit_verify(_args: argparse.Namespace) -> int:
    with session_scope() as session:
        status = audit.verify(session)
    if status.ok:
        print(f"audit chain holds: {status.events} events, head {status.head}")
        return 0
    print(f"audit chain BROKEN at event {status.first_bad_seq}", file=sys.stderr)
    return 1


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.demo and get_settings().is_production:
        print(
            "refusing --demo with BLUECARD_ENVIRONMENT=production: "
            "it would create logins with known passwords",
            file=sys.stderr,
        )
        return 1
    if not args.no_migrate:
        upgrade(get_engine())
    try:
        check_keys_at_start(get_engine())
    except KeysRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    if args.demo:
        from app.demo.load import load_demo

        with session_scope() as session:
            logins = load_demo(session)
        print("demo logins:")
        for line in logins:
            print("  " + line)
    logging.getLogger("bluecard").info("serving", extra={"host": args.host, "port": args.port})
    with _metrics_shared_by_workers(args.workers):
        uvicorn.run(
            "app.main:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=log_config(get_settings().log_level),
            access_log=False,
            proxy_headers=True,
        )
    return 0


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
