"""`bluecard backup FILE` and `bluecard restore FILE [--force]`.

Both work on the database the settings name. Restore checks what it restored: the audit
chain must verify, and the key ring in use must decrypt the restored ID numbers and find
them again by their blind index; otherwise the operator is told at once, not at the first
lookup that silently misses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.backup import BackupError, backup_database, restore_database
from app.core.crypto import DecryptionError, KeyRingError
from app.core.db import get_engine, session_scope
from app.core.exit_status import EXIT_NO, EXIT_OK, EXIT_UNAVAILABLE
from app.core.keys import get_keyring, reset_keys
from app.core.settings import get_settings
from app.registry.models import Talent
from app.registry.records import TALENT_ID_CONTEXT


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser(
        "backup",
        help="write a consistent copy of the database to FILE (NOT the key file: back it up too)",
    )
    backup.add_argument("file", type=Path, help="where to write the backup (a new file)")
    backup.set_defaults(func=_backup, needs_keys=False)
    restore = sub.add_parser(
        "restore",
        help="replace the database with the backup in FILE (stop the service first)",
        description="Exit 0: restored and checked; 1: refused or failed, or restored but the "
        "audit chain does not verify; 3: restored, but the configured keys do not open its data "
        "(or the database cannot be reached).",
    )
    restore.add_argument("file", type=Path, help="a file written by bluecard backup")
    restore.add_argument(
        "--force", action="store_true", help="restore over a database that already has tables"
    )
    restore.set_defaults(func=_restore, needs_keys=False)


def _backup(args: argparse.Namespace) -> int:
    try:
        backup_database(get_settings().database_url, args.file)
    except BackupError as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return EXIT_NO
    print(f"数据库已备份到 {args.file}（{args.file.stat().st_size} 字节）。")
    _warn_about_keys()
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    get_engine().dispose()  # no pooled connection of ours may hold the old database open
    try:
        restore_database(args.file, get_settings().database_url, force=args.force)
    except BackupError as exc:
        print(f"恢复失败：{exc}", file=sys.stderr)
        return EXIT_NO
    get_engine().dispose()
    with session_scope() as session:
        keys_match = _keys_read_the_data(session)
    print(f"已从 {args.file} 恢复数据库。")
    if not keys_match:
        # The audit chain's key comes from the same keys: nothing more can be checked.
        _warn_about_keys(mismatch=True)
        return EXIT_UNAVAILABLE
    with session_scope() as session:
        chain = audit.verify(session, full=True)
    if chain.ok:
        print(f"审计链完整：{chain.events} 条事件，链头 {chain.head}。请与备份时公布的链头核对。")
    else:
        broken = f"审计链在第 {chain.first_bad_seq} 条事件处断裂：备份文件可能被改动。"
        print(broken, file=sys.stderr)
    return EXIT_OK if chain.ok else EXIT_NO


def _keys_read_the_data(session: Session) -> bool:
    """Decrypt one restored ID number and find it again by its blind index."""
    reset_keys()  # the restored database has its own stored keys
    row = session.execute(select(Talent.id_cipher, Talent.id_hash).limit(1)).first()
    if row is None:
        return True  # nothing encrypted yet: any key file fits
    cipher, id_hash = row
    try:
        keyring = get_keyring()
        number = keyring.decrypt(cipher, context=TALENT_ID_CONTEXT)
    except (DecryptionError, KeyRingError):
        return False
    return keyring.blind_index(number) == id_hash


def _warn_about_keys(*, mismatch: bool = False) -> None:
    settings = get_settings()
    if settings.keys is not None:
        where = "环境变量 BLUECARD_KEYS"
    else:
        where = f"密钥文件 {settings.key_file}"
    if mismatch:
        lines = [
            f"当前的密钥加密密钥（{where}）无法解开恢复的数据密钥，因而无法解密恢复的身份证号！",
            "请换用备份时的密钥文件，否则身份证号既无法读取也无法查询。",
        ]
    else:
        lines = [
            f"本备份含加密封装的数据密钥，但不含解开它们的密钥加密密钥（{where}）。",
            "没有它，备份中的身份证号既无法读取也无法查询，备份即无用。",
            "请另行备份密钥，并与本备份分开、妥善保管。",
        ]
    banner = "!" * 72
    print("\n".join([banner, *("!!! " + line for line in lines), banner]), file=sys.stderr)
