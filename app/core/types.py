"""Column types shared by every domain."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, LargeBinary, func, literal_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)  # type: ignore[no-any-return]

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def utcnow() -> datetime:
    return datetime.now(UTC)


class HexDigest(TypeDecorator[str]):
    """A SHA-256 digest stored as its 32 bytes, handed to and from Python as 64 hex digits
    (as the blind index is computed and compared everywhere else): half the bytes of the
    hex text in the table and in every index on it."""

    impl = LargeBinary(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else bytes.fromhex(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else bytes(value).hex()


def digest_of_hex(column: Any, dialect: str) -> Any:
    """SQL turning a hex digest column (a blind index) into the bytes `HexDigest` stores,
    to compare the two inside the database (SQLite's `unhex` is registered by `core.db`)."""
    if dialect == "postgresql":
        return func.decode(column, literal_column("'hex'"))
    return func.unhex(column)


def time_ordered_uuid() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): the Unix time in milliseconds, then 74 random bits.

    For the keys a filing creates by the hundred thousand: ids taken in turn land side by
    side in the primary key and in every index that carries them (markers, honours,
    dependents, versions), where uuid4's land on a random page of each."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10)) & _RANDOM_74
    return uuid.UUID(int=value | _VERSION_7_VARIANT)


_RANDOM_74 = (0xFFF << 64) | (1 << 62) - 1  # rand_a (12 bits), then rand_b (62 bits)
_VERSION_7_VARIANT = (0x7 << 76) | (0b10 << 62)
