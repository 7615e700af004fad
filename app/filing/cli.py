"""`bluecard submissions import FILE --city CODE`: an operator's bulk load of a city's file.

The same path as an upload through the API (`intake.take_in`), in one transaction, with a
progress bar; `--submit` also sends a valid file to the province for review. Messages are
in Chinese and never show an ID number (row errors are already masked).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from app.access.codes import Role
from app.core.audit import shell_actor
from app.core.db import session_scope
from app.core.errors import AppError
from app.core.exit_status import EXIT_NO, EXIT_OK, EXIT_USAGE, JSON_HELP
from app.core.reference import city_names
from app.filing import queries, review
from app.filing.calendar import current_period
from app.filing.constants import STATUS_ZH, SubmissionStatus
from app.filing.intake import take_in
from app.filing.upload import hashed_upload
from app.registry.markers import local_today

ERRORS_SHOWN = 10
_COUNT_NAMES = {
    "rows": "数据行",
    "errors": "有错误的行",
    "create": "新增",
    "update": "更新",
    "retire": "退出",
    "unchanged": "无变化",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    submissions = sub.add_parser("submissions", help="city submissions for record-filing")
    commands = submissions.add_subparsers(required=True, metavar="COMMAND")
    load = commands.add_parser(
        "import",
        help="validate a city's file (.json, .csv, .xlsx) into a submission",
        description="Exit 0: the file is valid (and submitted with --submit); "
        "1: some rows have errors, or the file was refused; "
        "2: unknown city or unreadable file; 3: the database cannot be reached.",
    )
    load.add_argument("file", type=Path, help="the city's file: .json, .csv or .xlsx")
    load.add_argument("--city", required=True, help="the city's 6-digit code, e.g. 340100")
    load.add_argument("--period", help="e.g. 2026Q4 (default: the current quarter)")
    load.add_argument("--submit", action="store_true", help="submit it for review if valid")
    load.add_argument("--json", action="store_true", help=JSON_HELP)
    load.set_defaults(func=_import)


def _import(args: argparse.Namespace) -> int:
    if args.city not in city_names():
        print(f"未知的城市代码：{args.city}", file=sys.stderr)
        return EXIT_USAGE
    today = local_today()
    actor = shell_actor(Role.city_operator)
    try:
        with (
            args.file.open("rb") as stream,
            tqdm(unit="行", desc="校验", file=sys.stderr, disable=args.json) as bar,
            session_scope() as session,
        ):
            submission = take_in(
                session,
                actor,
                hashed_upload(stream, args.file.name),
                city_code=args.city,
                period=args.period or current_period(today),
                idempotency_key=None,
                today=today,
                progress=bar.update,
            ).submission
            if args.submit and submission.status == SubmissionStatus.validated:
                review.submit(session, actor, submission)
            errors = queries.row_errors(session, submission.id)[:ERRORS_SHOWN]
    except OSError as exc:
        print(f"无法读取文件：{exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except AppError as exc:
        print(f"文件被拒绝（{exc.code}）：{exc.detail}", file=sys.stderr)
        return EXIT_NO
    status = SubmissionStatus(submission.status)
    exit_status = EXIT_NO if status == SubmissionStatus.invalid else EXIT_OK
    if args.json:
        summary = {
            "id": str(submission.id),
            "city_code": submission.city_code,
            "period": submission.period,
            "status": status.value,
            "counts": submission.counts,
            "errors": [
                {"row": e.row_no, "field": e.field, "code": e.code, "message": e.message}
                for e in errors
            ],
        }
        print(json.dumps(summary, ensure_ascii=False))
        return exit_status
    print(f"报送 {submission.id}：{STATUS_ZH[status]}（{submission.period}）")
    print("，".join(f"{name} {submission.counts[key]}" for key, name in _COUNT_NAMES.items()))
    for error in errors:
        line = "" if error.sheet_row is None else f"（表格第{error.sheet_row}行）"
        print(f"第{error.row_no}行{line} {error.field} [{error.code}] {error.message}")
    return exit_status
