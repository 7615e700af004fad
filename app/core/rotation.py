"""Key rotation: a new data key becomes current, then every ciphertext is re-encrypted.

The new key is stored first (wrapped, `key_store.py`), with the old keys kept, so every
host finds it at once and a rotation that stops half-way leaves every row readable;
`reencrypt_all` finishes it when run again (and catches rows another host wrote under the
old key in the seconds before it re-read the keys).
Rows are rewritten in batches, each its own transaction, through the table (not the ORM),
so a record's version (its ETag) does not change: re-encryption is not an edit. The blind
index never changes, so lookups work throughout. Each domain declares its encrypted columns
(`CIPHER_COLUMNS` in its models); the caller hands them all in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import Engine

from app.core import key_store
from app.core.crypto import KeyRing
from app.core.kek import KeyEncryptionKeys

BATCH_SIZE = 5000
# An encrypted column: its table, the ciphertext column's name, the context it is sealed with.
CipherColumn = tuple[Table, str, str]


def rotate_keys(
    engine: Engine,
    keks: KeyEncryptionKeys,
    keyring: KeyRing,
    columns: Sequence[CipherColumn],
    *,
    on_progress: Callable[[str, int], object] = lambda _table, _rows: None,
) -> dict[str, int]:
    """Store a new current data key, then re-encrypt everything under it."""
    key_store.add_data_key(engine, keks)
    keyring.refresh()
    return reencrypt_all(engine, keyring, columns, on_progress=on_progress)


def reencrypt_all(
    engine: Engine,
    keyring: KeyRing,
    columns: Sequence[CipherColumn],
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[str, int], object] = lambda _table, _rows: None,
) -> dict[str, int]:
    """Re-encrypt every ciphertext not under the current key; rows rewritten per table."""
    counts: dict[str, int] = {}
    for table, column, context in columns:
        counts[table.name] = 0
        for rewritten in _reencrypt_table(engine, keyring, table, column, context, batch_size):
            counts[table.name] += rewritten
            on_progress(table.name, rewritten)
    return counts


def _reencrypt_table(
    engine: Engine, keyring: KeyRing, table: Table, column: str, context: str, batch_size: int
) -> Iterator[int]:
    key = table.primary_key.columns.values()[0]
    cipher = table.c[column]
    current = f"{keyring.current_kid}:"
    last = None
    while True:
        with engine.begin() as connection:
            query = select(key, cipher).where(cipher.is_not(None), ~cipher.startswith(current))
            if last is not None:
                query = query.where(key > last)
            rows = connection.execute(query.order_by(key).limit(batch_size)).all()
            if not rows:
                return
            connection.execute(
                update(table)
                .where(key == bindparam("row_key"))
                .values({column: bindparam("new_cipher")}),
                [
                    {
                        "row_key": row_key,
                        "new_cipher": keyring.encrypt(
                            keyring.decrypt(token, context=context), context=context
                        ),
                    }
                    for row_key, token in rows
                ],
            )
        last = rows[-1][0]
        yield len(rows)
