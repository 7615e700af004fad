"""`bluecard keys rotate` / `keys reencrypt`: every domain's encrypted columns under a new key.

Operators run these on the server; messages are in Chinese.
"""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from app.core import audit
from app.core.db import get_engine, session_scope
from app.core.exit_status import EXIT_NO, EXIT_OK
from app.core.keys import get_keyring
from app.core.rotation import CipherColumn, reencrypt_all, rotate_keys
from app.core.settings import get_settings
from app.filing.sealed import CIPHER_COLUMNS as FILING_COLUMNS
from app.registry.records import CIPHER_COLUMNS as REGISTRY_COLUMNS

CIPHER_COLUMNS: tuple[CipherColumn, ...] = REGISTRY_COLUMNS + FILING_COLUMNS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="data-protection keys").add_subparsers(
        required=True, metavar="COMMAND"
    )
    keys.add_parser(
        "rotate", help="add a new current key to the key file, then re-encrypt everything"
    ).set_defaults(func=_keys_rotate)
    keys.add_parser(
        "reencrypt", help="finish an interrupted rotation: re-encrypt under the current key"
    ).set_defaults(func=_keys_reencrypt)
    keys.add_parser(
        "rotate-signing", help="add a new current snapshot-signing key; old public keys stay listed"
    ).set_defaults(func=_keys_rotate_signing)


def _keys_rotate(_args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.keys is not None:
        print(
            "密钥来自环境变量 BLUECARD_KEYS，无法就地轮换：请改用密钥文件（BLUECARD_KEY_FILE）。",
            file=sys.stderr,
        )
        return EXIT_NO
    with tqdm(unit="行", desc="重新加密") as bar:
        rotated, counts = rotate_keys(
            get_engine(),
            get_keyring(),
            settings.key_file,
            CIPHER_COLUMNS,
            on_progress=lambda _table, rows: bar.update(rows),
        )
    get_keyring.cache_clear()
    _audit_rotation("keys.rotate", rotated.current_kid, counts)
    print(f"新密钥 {rotated.current_kid} 已写入 {settings.key_file}，并已生效。请立即备份该文件。")
    print("重新加密：" + "，".join(f"{table} {n} 行" for table, n in counts.items()))
    print("正在运行的服务须重启后才能使用新密钥。")
    return EXIT_OK


def _keys_rotate_signing(_args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.keys is not None:
        print("密钥来自环境变量 BLUECARD_KEYS，无法就地轮换签名密钥。", file=sys.stderr)
        return EXIT_NO
    rotated = get_keyring().rotate_signing()
    rotated.save(settings.key_file)
    get_keyring.cache_clear()
    kid = rotated.signing_keys().current
    with session_scope() as session:
        audit.record(
            session, audit.shell_actor(), "keys.rotate_signing", f"signing:{kid}", {"kid": kid}
        )
    print(f"新签名密钥 {kid} 已写入 {settings.key_file}。旧公钥仍会公布。请立即备份该文件。")
    print("正在运行的服务须重启后才会用新密钥签名。")
    return EXIT_OK


def _keys_reencrypt(_args: argparse.Namespace) -> int:
    keyring = get_keyring()
    with tqdm(unit="行", desc="重新加密") as bar:
        counts = reencrypt_all(
            get_engine(), keyring, CIPHER_COLUMNS, on_progress=lambda _table, rows: bar.update(rows)
        )
    _audit_rotation("keys.reencrypt", keyring.current_kid, counts)
    print("重新加密：" + "，".join(f"{table} {n} 行" for table, n in counts.items()))
    return EXIT_OK


def _audit_rotation(action: str, kid: str, counts: dict[str, int]) -> None:
    with session_scope() as session:
        audit.record(
            session,
            audit.shell_actor(),
            action,
            f"keyring:{kid}",
            {"current_kid": kid, "rewritten": counts},
        )
