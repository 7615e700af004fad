"""Proof, at start and in `/readyz`, that this host's keys open the stored data.

A host on a shared database with a missing, corrupt or other key file would otherwise
make a new ring and answer "no priority" for real holders, or 500 on every lookup. The
stored keys are the canary: a key-encryption key that does not unwrap them is refused,
even on a registry with no records yet. Then one row of each encrypted column is
decrypted, and where the row keeps a blind index, the index of the decrypted number must
equal it: the data keys and the index key are both proven against the data. Messages
say what to do, in Chinese and English (operators read them).
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.core import key_store
from app.core.crypto import DecryptionError, KeyRing, KeyRingError
from app.core.db import READ_ONLY
from app.core.exit_status import Unavailable
from app.core.keys import get_keks, get_keyring
from app.core.settings import get_settings
from app.ops.keys_cli import CIPHER_COLUMNS

log = logging.getLogger("bluecard.keys")

_RESTORE = (
    "请配置与该数据库配套的密钥（BLUECARD_KEY_FILE 或 BLUECARD_KEYS，从备份恢复或从其他主机复制）。"
    " Configure the keys this database was written with (BLUECARD_KEY_FILE or BLUECARD_KEYS,"
    " restored from backup or copied from another host)."
)
MISSING_IN_PRODUCTION = (
    "生产环境未找到数据保护密钥 {path}，拒绝启动，不会生成新密钥。"
    " No data-protection key at {path} in production: refusing to start (no new key is made). "
)
MISSING_FOR_DATA = (
    "数据库中已有加密数据，但未配置密钥（{path} 不存在），拒绝启动。"
    " The database holds encrypted data but no key is configured ({path} is missing):"
    " refusing to start. "
)
UNREADABLE = (
    "数据保护密钥无法读取（{reason}），拒绝启动。"
    " The data-protection keys cannot be read ({reason}): refusing to start. "
)
WRONG_KEYS = (
    "配置的密钥无法解开数据库中的数据（表 {table}），拒绝启动。"
    " The configured keys do not open the data in the database (table {table}):"
    " refusing to start. "
)


class KeysRefused(Unavailable):
    """This host's keys cannot (or must not) be used with this database."""


def open_keyring(connection: Connection) -> KeyRing:
    """The process's key ring once proven against the stored data, else `KeysRefused`.

    Checks for a key file before `get_keks`, which in development would create one."""
    settings = get_settings()
    samples = _samples(connection)
    stored = key_store.has_keys(connection)
    if settings.keys is None and not settings.key_file.exists():
        if settings.is_production:
            raise KeysRefused(MISSING_IN_PRODUCTION.format(path=settings.key_file) + _RESTORE)
        if samples or stored:
            raise KeysRefused(MISSING_FOR_DATA.format(path=settings.key_file) + _RESTORE)
    try:
        get_keks()
    except (KeyRingError, OSError) as exc:
        raise KeysRefused(UNREADABLE.format(reason=exc) + _RESTORE) from exc
    try:
        keyring = get_keyring()
    except KeyRingError as exc:
        raise KeysRefused(WRONG_KEYS.format(table=key_store.TABLE.name) + _RESTORE) from exc
    for table, context, cipher, index in samples:
        try:
            plain = keyring.decrypt(cipher, context=context)
        except DecryptionError as exc:
            raise KeysRefused(WRONG_KEYS.format(table=table) + _RESTORE) from exc
        if index is not None and keyring.blind_index(plain) != index:
            raise KeysRefused(WRONG_KEYS.format(table=table) + _RESTORE)
    return keyring


def check_keys_at_start(engine: Engine) -> None:
    """`open_keyring` for a starting process. A database not reachable (or not migrated)
    yet is not fatal: `/readyz` repeats the check and stays 503 until it passes."""
    try:
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            open_keyring(connection)
    except SQLAlchemyError as exc:
        log.warning("keys not checked at start: database not ready (%s)", type(exc).__name__)


def _samples(connection: Connection) -> list[tuple[str, str, str, str | None]]:
    """One stored ciphertext per encrypted column: (table, context, cipher, blind index)."""
    found = []
    for table, column, context in CIPHER_COLUMNS:
        cipher = table.c[column]
        # The blind index beside a ciphertext of the ID number itself (not a sealed record).
        index = table.c.get("id_hash") if context.endswith(".id_number") else None
        columns = [cipher] if index is None else [cipher, index]
        row = connection.execute(select(*columns).where(cipher.is_not(None)).limit(1)).first()
        if row is not None:
            found.append((table.name, context, row[0], row[1] if index is not None else None))
    return found
