"""`bluecard cards import FILE` and `bluecard keys rotate` / `keys reencrypt`.

Operators run these on the server; messages are in Chinese and never show an ID number.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from app.core import audit
from app.core.db import get_engine, session_scope
from app.core.keys import get_keyring
from app.core.settings import get_settings
from app.registry.card_files import CardFileError, open_card_file
from app.registry.cards import BATCH_SIZE, CardError, import_cards
from app.registry.markers import local_today
from app.registry.rotation import reencrypt_all, rotate_keys

# Exit codes of `cards import`: all rows loaded / some rows rejected / file unreadable.
EXIT_OK, EXIT_ROWS_REJECTED, EXIT_UNREADABLE = 0, 1, 2
ERROR_HEADER = ("行号", "字段", "错误代码", "说明")
ErrorSink = Callable[[CardError], None]


@dataclass(frozen=True)
class OperatorActor:
    """The person at the server's shell, as the audit chain names them."""

    actor_id: str
    actor_role: str = "operator"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cards = sub.add_parser("cards", help="the blue-card pool").add_subparsers(required=True)
    load = cards.add_parser(
        "import",
        help="load or update cards from the pool export (CSV or XLSX)",
        description="Exit 0: all rows loaded; 1: some rows rejected (see --errors); "
        "2: the file could not be read.",
    )
    load.add_argument("file", type=Path, help="the export, .csv or .xlsx")
    load.add_argument("--errors", type=Path, help="write rejected rows to this CSV file")
    load.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=argparse.SUPPRESS)
    load.set_defaults(func=_cards_import)

    keys = sub.add_parser("keys", help="data-protection keys").add_subparsers(required=True)
    keys.add_parser(
        "rotate", help="add a new current key to the key file, then re-encrypt everything"
    ).set_defaults(func=_keys_rotate)
    keys.add_parser(
        "reencrypt", help="finish an interrupted rotation: re-encrypt under the current key"
    ).set_defaults(func=_keys_reencrypt)


def _cards_import(args: argparse.Namespace) -> int:
    actor = OperatorActor(f"cli:{getpass.getuser()}")
    try:
        card_file = open_card_file(args.file)
    except (CardFileError, OSError) as exc:
        print(f"无法读取文件：{getattr(exc, 'message_zh', exc)}", file=sys.stderr)
        return EXIT_UNREADABLE
    with ExitStack() as stack:
        on_error = _error_sink(stack, args.errors)
        bar = stack.enter_context(tqdm(total=card_file.total, unit="行", desc="导入蓝卡"))
        try:
            with session_scope() as session:
                counts = import_cards(
                    session,
                    actor,
                    card_file.rows,
                    today=local_today(),
                    source=args.file.name,
                    on_error=on_error,
                    on_progress=bar.update,
                    batch_size=args.batch_size,
                )
        except CardFileError as exc:
            print(f"无法读取文件：{exc.message_zh}；本次导入未写入任何数据", file=sys.stderr)
            return EXIT_UNREADABLE
    print(
        f"共 {counts.rows} 行：新增 {counts.inserted}，更新 {counts.updated}，"
        f"未变 {counts.unchanged}，有误 {counts.errors}"
    )
    if counts.errors:
        where = f"，明细见 {args.errors}" if args.errors else "（用 --errors 文件 保存明细）"
        print(f"{counts.errors} 行有误未导入{where}", file=sys.stderr)
        return EXIT_ROWS_REJECTED
    return EXIT_OK


def _error_sink(stack: ExitStack, path: Path | None) -> ErrorSink:
    if path is None:
        return lambda _error: None
    out = stack.enter_context(path.open("w", encoding="utf-8-sig", newline=""))
    writer = csv.writer(out)
    writer.writerow(ERROR_HEADER)

    def write(error: CardError) -> None:
        writer.writerow((error.row, error.field, error.code, error.message))

    return write


def _keys_rotate(_args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.keys is not None:
        print(
            "密钥来自环境变量 BLUECARD_KEYS，无法就地轮换：请改用密钥文件（BLUECARD_KEY_FILE）。",
            file=sys.stderr,
        )
        return 2
    with tqdm(unit="行", desc="重新加密") as bar:
        rotated, counts = rotate_keys(
            get_engine(),
            get_keyring(),
            settings.key_file,
            on_progress=lambda _table, rows: bar.update(rows),
        )
    get_keyring.cache_clear()
    _audit_rotation("keys.rotate", rotated.current_kid, counts)
    print(f"新密钥 {rotated.current_kid} 已写入 {settings.key_file}，并已生效。请立即备份该文件。")
    print("重新加密：" + "，".join(f"{table} {n} 行" for table, n in counts.items()))
    print("正在运行的服务须重启后才能使用新密钥。")
    return 0


def _keys_reencrypt(_args: argparse.Namespace) -> int:
    keyring = get_keyring()
    with tqdm(unit="行", desc="重新加密") as bar:
        counts = reencrypt_all(
            get_engine(), keyring, on_progress=lambda _table, rows: bar.update(rows)
        )
    _audit_rotation("keys.reencrypt", keyring.current_kid, counts)
    print("重新加密：" + "，".join(f"{table} {n} 行" for table, n in counts.items()))
    return 0


def _audit_rotation(action: str, kid: str, counts: dict[str, int]) -> None:
    with session_scope() as session:
        audit.record(
            session,
            OperatorActor(f"cli:{getpass.getuser()}"),
            action,
            f"keyring:{kid}",
            {"current_kid": kid, "rewritten": counts},
        )
