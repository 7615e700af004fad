"""`bluecard roster verify FILE`: check a saved roster snapshot offline.

The public keys come from `--keys FILE` (what `/api/v1/public/signing-keys` answered),
by default `signing-keys.json` saved next to the snapshot. Exit 0: the signature holds;
1: it does not, or a file is missing or malformed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.core.exit_status import EXIT_NO, EXIT_OK
from app.public.snapshot_check import SnapshotInvalid, check_snapshot

DEFAULT_KEYS_NAME = "signing-keys.json"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roster = sub.add_parser("roster", help="the published roster").add_subparsers(
        required=True, metavar="COMMAND"
    )
    verify = roster.add_parser(
        "verify",
        help="check a saved roster snapshot's signature offline",
        description="Exit 0: the signature holds; 1: it does not, or a file is unreadable.",
    )
    verify.add_argument("file", type=Path, help="the saved /api/v1/public/roster/snapshot")
    verify.add_argument(
        "--keys",
        type=Path,
        help=f"the saved /api/v1/public/signing-keys (default: {DEFAULT_KEYS_NAME} beside FILE)",
    )
    verify.set_defaults(func=_verify, needs_keys=False)


def _verify(args: argparse.Namespace) -> int:
    keys_path: Path = args.keys or args.file.with_name(DEFAULT_KEYS_NAME)
    try:
        checked = check_snapshot(_read_json(args.file), _read_json(keys_path))
    except SnapshotInvalid as exc:
        print(f"快照无效：{exc}", file=sys.stderr)
        return EXIT_NO
    print(
        f"快照签名有效（密钥 {checked.kid}）：生成于 {checked.generated_at}，"
        f"名单 {checked.items} 人，已失效标识 {checked.withdrawn} 个。"
    )
    return EXIT_OK


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SnapshotInvalid(f"找不到文件 {path}。") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SnapshotInvalid(f"无法读取 {path}：不是 UTF-8 JSON 文件。") from exc
