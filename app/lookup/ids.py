"""Time-ordered identifiers for lookup records (UUID version 7, RFC 9562).

The first 48 bits are the Unix time in milliseconds, the rest random: new records land at
the right-hand end of the primary-key index instead of at random places in it, which keeps
a table that grows by a row per lookup cheap to insert into on both databases.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime

_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0x2 << 62
_CLEAR = ~((0xF << 76) | (0x3 << 62))


def uuid7(at: datetime) -> uuid.UUID:
    return uuid.UUID(int=_uuid7_ints(at, 1)[0])


def uuid7_hexes(at: datetime, count: int) -> list[str]:
    """`count` identifiers for the same moment, from one read of the random source, as 32
    hex digits each (a batch's thousand go into JSON: no UUID objects needed)."""
    return [f"{value:032x}" for value in _uuid7_ints(at, count)]


def _uuid7_ints(at: datetime, count: int) -> list[int]:
    milliseconds = (int(at.timestamp() * 1000) & ((1 << 48) - 1)) << 80
    randomness = os.urandom(10 * count)
    return [
        (milliseconds | int.from_bytes(randomness[i : i + 10], "big")) & _CLEAR
        | _VERSION_7
        | _VARIANT_RFC
        for i in range(0, 10 * count, 10)
    ]
