"""Secrets we hand out (session tokens, API keys) and how we recognise them again.

Both are 256-bit random strings; only their SHA-256 is stored. A plain hash suffices
because the secrets are random, unlike passwords (see `passwords.py`).
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "bct_"  # noqa: S105 - a label, not a secret
API_KEY_PREFIX = "bk_"
_PUBLIC_PREFIX_LEN = 8


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_session_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str]:
    """Return (public prefix, full key). The prefix finds the row; the hash proves the key."""
    prefix = secrets.token_hex(_PUBLIC_PREFIX_LEN // 2)
    return prefix, f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def api_key_prefix(key: str) -> str | None:
    if not key.startswith(API_KEY_PREFIX):
        return None
    prefix, sep, rest = key[len(API_KEY_PREFIX) :].partition("_")
    return prefix if sep and rest and len(prefix) == _PUBLIC_PREFIX_LEN else None
