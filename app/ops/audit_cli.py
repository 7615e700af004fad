"""`bluecard audit verify [--anchor FILE] [--full]` and `bluecard audit anchor [--out FILE]`.

Exit codes: 0 the chain holds (the anchor written); 1 it does not (or the anchor is
forged); 2 usage (an unreadable anchor file); 3 the database or the key ring cannot be
reached (`exit_status.run_command` says so in one line).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from app.core import audit
from app.core.audit_anchor import AnchorForged, AnchorUnreadable, make_anchor, read_anchor
from app.core.db import session_scope
from app.core.exit_status import EXIT_NO, EXIT_OK, EXIT_USAGE, JSON_HELP
from app.core.keys import get_keyring
from app.core.signing import SigningKeys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit_cmd = sub.add_parser("audit", help="the audit chain").add_subparsers(required=True)
    verify = audit_cmd.add_parser(
        "verify",
        help="exit 0 when the chain holds, 1 when not (2: bad anchor file, 3: no db or keys)",
        description="Walks the chain from the last verified checkpoint (--full: from the "
        "first event), then leaves a checkpoint at the head.",
    )
    verify.add_argument(
        "--anchor", type=Path, help="also check the chain against this anchor (audit anchor)"
    )
    verify.add_argument("--full", action="store_true", help="walk from the first event")
    verify.add_argument("--json", action="store_true", help=JSON_HELP)
    verify.set_defaults(func=_verify)
    anchor = audit_cmd.add_parser(
        "anchor",
        help="verify, then write the signed head (count and hash) to keep outside the database",
    )
    anchor.add_argument("--out", type=Path, help="write it to this file (default: stdout)")
    anchor.set_defaults(func=_anchor)


def _verify(args: argparse.Namespace) -> int:
    try:
        anchor = None
        if args.anchor is not None:
            anchor = read_anchor(args.anchor.read_text(encoding="utf-8"), _signing())
        with session_scope() as session:
            status = audit.verify(session, anchor=anchor, full=args.full)
            audit.remember_verified(session, status)
    except (OSError, UnicodeDecodeError, AnchorUnreadable) as exc:
        print(f"cannot read the anchor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except AnchorForged as exc:
        print(f"anchor REFUSED: {exc}", file=sys.stderr)
        return EXIT_NO
    if args.json:
        print(json.dumps(dataclasses.asdict(status), default=str))
        return EXIT_OK if status.ok else EXIT_NO
    if not status.ok:
        print(
            f"audit chain BROKEN at event {status.first_bad_seq}: {status.problem}", file=sys.stderr
        )
        return EXIT_NO
    since = f"from checkpoint {status.verified_from}" if status.verified_from else "from genesis"
    against = f", anchored count {anchor.count} held" if anchor is not None else ""
    print(f"audit chain holds: {status.events} events ({since}{against}), head {status.head}")
    return EXIT_OK


def _anchor(args: argparse.Namespace) -> int:
    with session_scope() as session:
        status = audit.verify(session)
        audit.remember_verified(session, status)
    if not status.ok:
        print(
            f"not anchored: the chain is BROKEN at event {status.first_bad_seq}: {status.problem}",
            file=sys.stderr,
        )
        return EXIT_NO
    text = make_anchor(status, _signing())
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write the anchor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"anchored {status.events} events, head {status.head}, in {args.out}", file=sys.stderr)
    return EXIT_OK


def _signing() -> SigningKeys:
    return get_keyring().signing_keys()
