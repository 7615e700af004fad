"""The process's key ring: the data keys stored in the database, opened with the
key-encryption keys from BLUECARD_KEYS or BLUECARD_KEY_FILE."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from starlette.concurrency import run_in_threadpool

from app.core import key_store
from app.core.background import repeating
from app.core.crypto import KeyRing
from app.core.db import get_engine
from app.core.kek import KeyEncryptionKeys
from app.core.settings import get_settings

REFRESH_SECONDS = 10.0


@lru_cache
def get_keks() -> KeyEncryptionKeys:
    settings = get_settings()
    if settings.keys is not None:
        return KeyEncryptionKeys.from_json(settings.keys.get_secret_value())
    # In production a missing key is an error, never a new one (the data would be lost to it).
    return KeyEncryptionKeys.load_or_create(settings.key_file, create=not settings.is_production)


@lru_cache
def get_keyring() -> KeyRing:
    return key_store.open_ring(get_engine(), get_keks(), create=True)


def reset_keys() -> None:
    """Forget the cached keys (after the key file or the stored keys changed)."""
    get_keks.cache_clear()
    get_keyring.cache_clear()


@asynccontextmanager
async def refreshed_in_background() -> AsyncIterator[None]:
    """While the block runs, re-read the stored keys every few seconds, so a data key
    rotated from another host is used here for new writes too, not only found on reads."""

    async def refresh() -> None:
        await run_in_threadpool(lambda: get_keyring().refresh())

    async with repeating(refresh, REFRESH_SECONDS, name="key refresh"):
        yield
