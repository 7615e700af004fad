"""`bluecard cards import FILE`: the blue-card pool.

Operators run these on the server; messages are in Chinese and never show an ID number.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from tqdm import tqdm

from app.core.audit import shell_actor
from app.core.db import session_scope
from app.core.exit_status import EXIT_NO, EXIT_OK, EXIT_USAGE, JSON_HELP
from app.registry.card_files import CardFileError, open_card_file
from app.registry.cards import BATCH_SIZE, CardError, import_cards
from app.registry.markers import local_today

ERROR_HEADER = ("行号", "字段", "错误代码", "说明")
ErrorSink = Callable[[CardError], None]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cards = sub.add_parser("cards", help="the blue-card pool").add_subparsers(
        required=True, metavar="COMMAND"
    )
    load = cards.add_parser(
        "import",
        help="load or update cards from the pool export (CSV or XLSX)",
        description="Exit 0: all rows loaded; 1: some rows rejected (see --errors), or the "
        "file's content was refused; 2: the file could not be read; 3: the database cannot "
        "be reached.",
    )
    load.add_argument("file", type=Path, help="the export, .csv or .xlsx")
    load.add_argument("--errors", type=Path, help="write rejected rows to this CSV file")
    load.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=argparse.SUPPRESS)
    load.add_argument("--json", action="store_true", help=JSON_HELP)
    load.set_defaults(func=_cards_import)


def _cards_import(args: argparse.Namespace) -> int:
    actor = shell_actor()
    try:
        card_file = open_card_file(args.file)
    except OSError as exc:
        print(f"无法读取文件：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except CardFileError as exc:
        print(f"无法读取文件：{exc.message_zh}", file=sys.stderr)
        return EXIT_NO
    with ExitStack() as stack:
        on_error = _error_sink(stack, args.errors)
        progress = tqdm(total=card_file.total, unit="行", desc="导入蓝卡", disable=args.json)
        bar = stack.enter_context(progress)
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
            return EXIT_NO
    if args.json:
        print(json.dumps(dataclasses.asdict(counts)))
        return EXIT_NO if counts.errors else EXIT_OK
    print(
        f"共 {counts.rows} 行：新增 {counts.inserted}，更新 {counts.updated}，"
        f"未变 {counts.unchanged}，有误 {counts.errors}"
    )
    if counts.errors:
        where = f"，明细见 {args.errors}" if args.errors else "（用 --errors 文件 保存明细）"
        print(f"{counts.errors} 行有误未导入{where}", file=sys.stderr)
        return EXIT_NO
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
