"""The data keys in the database, each wrapped by a key-encryption key (`kek.py`).

One row per key: the data keys (`k1`, `k2`, …; the highest is current), the blind-index
key (`index`, never rotated) and the snapshot-signing keys (`s1`, …). Every host reads the
same rows, so a rotation is one insert that every host sees: a host meeting a key id it
does not know reads the rows again, and each server re-reads them every few seconds
(`keys.refreshed_in_background`), so it encrypts under the new key too. The rows are also the
canary: a host whose KEK does not open them refuses to start, even on an empty registry.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.crypto import KEY_BYTES, KeyRing, KeyRingError
from app.core.db import READ_ONLY, Base
from app.core.kek import KeyEncryptionKeys
from app.core.signing import SEED_BYTES, SigningKeys
from app.core.types import UTCDateTime, utcnow

log = logging.getLogger("bluecard.crypto")

DATA, INDEX, SIGNING = "data", "index", "signing"
INDEX_KID = "index"


class DataKey(Base):
    __tablename__ = "data_key"

    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(8))
    kek_id: Mapped[str] = mapped_column(String(16))
    wrapped: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


TABLE = cast(Table, DataKey.__table__)


def open_ring(engine: Engine, keks: KeyEncryptionKeys, *, create: bool) -> KeyRing:
    """The stored ring, opened with `keys`; on a database without one, a new ring (or the
    version-1 file's, imported) when `create` allows. `KeyRingError` if the KEKs do not
    open the stored keys."""
    rows = _read_rows(engine)
    if not rows:
        if not create:
            raise KeyRingError("the database holds no data keys and none may be created here")
        _store_new(engine, keks)
        rows = _read_rows(engine)
    return _ring(rows, keks, reload=lambda: _ring(_read_rows(engine), keks))


def has_keys(connection: Connection) -> bool:
    return connection.execute(select(TABLE.c.kid).limit(1)).first() is not None


def add_data_key(engine: Engine, keks: KeyEncryptionKeys) -> str:
    """A new current data key (rotation); returns its id."""
    return _add(engine, keks, DATA, "k")


def add_signing_key(engine: Engine, keks: KeyEncryptionKeys) -> str:
    return _add(engine, keks, SIGNING, "s")


def rewrap(engine: Engine, keks: KeyEncryptionKeys) -> int:
    """Every stored key rewrapped under the current KEK (after `keks.rotate()`); the data
    they protect is untouched. Returns the number of keys rewrapped."""
    with engine.begin() as connection:
        rows = _rows(connection)
        for row in rows:
            raw = keks.unwrap(row.kek_id, row.kid, row.purpose, row.wrapped)
            connection.execute(
                update(TABLE)
                .where(TABLE.c.kid == row.kid)
                .values(kek_id=keks.current, wrapped=keks.wrap(row.kid, row.purpose, raw))
            )
    return len(rows)


def _read_rows(engine: Engine) -> list[Row[Any]]:
    # Read-only: on SQLite no write lock is taken, so a reload never waits behind a writer.
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        return _rows(connection)


def _rows(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(TABLE).order_by(TABLE.c.created_at, TABLE.c.kid)))


def _ring(
    rows: list[Row[Any]],
    keks: KeyEncryptionKeys,
    reload: Callable[[], KeyRing] | None = None,
) -> KeyRing:
    opened = {
        row.kid: (row.purpose, keks.unwrap(row.kek_id, row.kid, row.purpose, row.wrapped))
        for row in rows
    }
    data = {kid: raw for kid, (purpose, raw) in opened.items() if purpose == DATA}
    signing = {kid: raw for kid, (purpose, raw) in opened.items() if purpose == SIGNING}
    if not data or INDEX_KID not in opened or not signing:
        raise KeyRingError("the stored key ring is incomplete")
    return KeyRing(
        data,
        _latest(data),
        opened[INDEX_KID][1],
        SigningKeys(signing, _latest(signing)),
        reload=reload,
    )


def _latest(keys: dict[str, bytes]) -> str:
    return max(keys, key=lambda kid: int(kid[1:]))


def _store_new(engine: Engine, keks: KeyEncryptionKeys) -> None:
    """The first ring (or the imported version-1 one); a concurrent creator wins cleanly."""
    ring = keks.legacy or KeyRing.generate()
    signing = ring.signing_keys()
    keys = [
        *((kid, DATA, raw) for kid, raw in ring.data_keys.items()),
        (INDEX_KID, INDEX, ring.index_key),
        *((kid, SIGNING, seed) for kid, seed in signing.keys.items()),
    ]
    try:
        with engine.begin() as connection:
            connection.execute(insert(TABLE), [_row(keks, *key) for key in keys])
    except IntegrityError:
        log.info("another process stored the key ring first; using theirs")
        return
    if keks.legacy is not None:
        log.warning("imported the version-1 key file's keys into the database")


def _add(engine: Engine, keks: KeyEncryptionKeys, purpose: str, prefix: str) -> str:
    size = KEY_BYTES if purpose == DATA else SEED_BYTES
    with engine.begin() as connection:
        kids = connection.scalars(select(TABLE.c.kid).where(TABLE.c.purpose == purpose)).all()
        kid = f"{prefix}{max((int(k[1:]) for k in kids), default=0) + 1}"
        connection.execute(insert(TABLE), [_row(keks, kid, purpose, secrets.token_bytes(size))])
    return kid


def _row(keks: KeyEncryptionKeys, kid: str, purpose: str, raw: bytes) -> dict[str, object]:
    return {
        "kid": kid,
        "purpose": purpose,
        "kek_id": keks.current,
        "wrapped": keks.wrap(kid, purpose, raw),
        "created_at": utcnow(),
    }
