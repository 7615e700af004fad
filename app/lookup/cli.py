"""`bluecard lookups archive`: the lookup record's maintenance by hand (the server runs the
same every few hours): partitions ahead, then every month past retention archived to a
compressed file, its SHA-256 chained in the audit trail, and removed."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.core import audit
from app.core.db import get_engine
from app.lookup.retention import maintain


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lookups = sub.add_parser("lookups", help="the lookup record").add_subparsers(required=True)
    archive = lookups.add_parser(
        "archive", help="archive and remove the months past BLUECARD_LOOKUP_RETENTION_MONTHS"
    )
    archive.add_argument(
        "--months", type=_positive, help="keep this many whole months instead (at least 1)"
    )
    archive.add_argument("--dir", type=Path, help="archive here instead of BLUECARD_ARCHIVE_DIR")
    archive.set_defaults(func=_archive)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def _archive(args: argparse.Namespace) -> int:
    done = maintain(
        get_engine(),
        retention_months=args.months,
        archive_dir=args.dir,
        actor=audit.shell_actor(),
    )
    for month in done:
        print(f"{month.month}: {month.rows} records -> {month.path} (sha256 {month.sha256})")
    if not done:
        print("no month is past retention")
    return 0
