"""The process's data-protection key ring, from BLUECARD_KEYS or BLUECARD_KEY_FILE."""

from __future__ import annotations

from functools import lru_cache

from app.core.crypto import KeyRing
from app.core.settings import get_settings


@lru_cache
def get_keyring() -> KeyRing:
    settings = get_settings()
    if settings.keys is not None:
        return KeyRing.from_json(settings.keys.get_secret_value())
    # In production a missing key is an error, never a new ring (the data would be lost to it).
    return KeyRing.load_or_create(settings.key_file, create=not settings.is_production)
