"""`bluecard keys rotate` / `keys reencrypt`: every domain's encrypted columns under a new key.

Operators run these on the server; messages are in Chinese.
"""

from __future__ import annotations

import argparse

from tqdm import tqdm

from app.core import audit, key_store
from app.core.db import get_engine, session_scope
from app.core.exit_status import EXIT_OK
from app.core.kek import KeyEncryptionKeys
from app.core.keys import get_keks, get_keyring, reset_keys
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
        "rotate", help="store a new current data key (every host sees it), re-encrypt everything"
    ).set_defaults(func=_keys_rotate)
    keys.add_parser(
        "reencrypt", help="finish an interrupted rotation: re-encrypt under the current key"
    ).set_defaults(func=_keys_rotate, reencrypt_only=True)
    keys.add_parser(
        "rotate-kek",
        help="add a new key-encryption key to the key file and rewrap the stored keys under it",
    ).set_defaults(func=_keys_rotate_kek)
    keys.add_parser(
        "generate-kek", help="print a new key file (a key-encryption key) for a secret store"
    ).set_defaults(func=_keys_generate_kek, needs_keys=False)
    keys.add_parser(
        "rotate-signing", help="add a new current snapshot-signing key; old public keys stay listed"
    ).set_defaults(func=_keys_rotate_signing)


def _keys_rotate(args: argparse.Namespace) -> int:
    keyring = get_keyring()
    with tqdm(unit="行", desc="重新加密") as bar:

        def progress(_table: str, rows: int) -> None:
            bar.update(rows)

        if getattr(args, "reencrypt_only", False):
            counts = reencrypt_all(get_engine(), keyring, CIPHER_COLUMNS, on_progress=progress)
        else:
            counts = rotate_keys(
                get_engine(), get_keks(), keyring, CIPHER_COLUMNS, on_progress=progress
            )
    action = "keys.reencrypt" if getattr(args, "reencrypt_only", False) else "keys.rotate"
    _audit(
        action,
        f"keyring:{keyring.current_kid}",
        {"current_kid": keyring.current_kid, "rewritten": counts},
    )
    print(f"当前数据密钥：{keyring.current_kid}（存于数据库，各主机数秒内自动使用）。")
    print("重新加密：" + "，".join(f"{table} {n} 行" for table, n in counts.items()))
    return EXIT_OK


def _keys_rotate_kek(_args: argparse.Namespace) -> int:
    settings = get_settings()
    rotated = get_keks().rotate()
    if settings.keys is None:
        # The file first, with the old key kept: a failure before the rewrap leaves every
        # stored key openable by the file.
        rotated.save(settings.key_file)
    rewrapped = key_store.rewrap(get_engine(), rotated)
    reset_keys()
    _audit(
        "keys.rotate_kek",
        f"kek:{rotated.current}",
        {"kek": rotated.current, "rewrapped": rewrapped},
    )
    if settings.keys is None:
        print(
            f"新的密钥加密密钥 {rotated.current} 已写入 {settings.key_file}，"
            f"{rewrapped} 个数据密钥已重新封装。"
        )
        print("请立即备份该文件，并复制到每一台主机（旧主机在重启前仍可工作）。")
    else:
        print("BLUECARD_KEYS 的新值（请配置到每一台主机）：")
        print(rotated.to_json())
    return EXIT_OK


def _keys_generate_kek(_args: argparse.Namespace) -> int:
    print(KeyEncryptionKeys.generate().to_json())
    return EXIT_OK


def _keys_rotate_signing(_args: argparse.Namespace) -> int:
    kid = key_store.add_signing_key(get_engine(), get_keks())
    get_keyring().refresh()
    _audit("keys.rotate_signing", f"signing:{kid}", {"kid": kid})
    print(f"新签名密钥 {kid} 已存入数据库，各主机数秒内用它签名。旧公钥仍会公布。")
    return EXIT_OK


def _audit(action: str, target: str, detail: dict[str, object]) -> None:
    with session_scope() as session:
        audit.record(session, audit.shell_actor(), action, target, detail)
