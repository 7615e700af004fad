"""Protection of ID numbers at rest: AES-256-GCM encryption and an HMAC-SHA256 blind index.

A ciphertext token is `<key id>:<base64url(nonce | ciphertext | tag)>`. The key id lets
old rows be decrypted after a rotation; `needs_reencrypt` finds them. The `context`
(e.g. `talent.id_number`) is bound as associated data, so a token copied into another
column does not decrypt there.

The blind index is a keyed hash of the normalised number, for exact-match lookups without
decrypting. Its key never rotates with the data keys: rotating it would change every
stored index and break every lookup until all rows were rewritten.

The keys are kept in the database, wrapped by the hosts' key-encryption keys (`kek.py`,
`key_store.py`); each is 32 random bytes. Losing the key-encryption key makes every stored
ID number unreadable and unfindable: back it up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Callable, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.core.signing import SigningKeys

log = logging.getLogger("bluecard.crypto")

KEY_BYTES = 32
NONCE_BYTES = 12


class KeyRingError(ValueError):
    """The key material is missing, malformed or unusable (messages never hold key bytes)."""


class DecryptionError(ValueError):
    """A token cannot be decrypted: altered, truncated, another context, or an unknown key."""


class KeyRing:
    """Data keys by key id, the current key id, the blind-index key and the signing keys.

    A host's ring is read from the database (`key_store.py`); `reload` reads it again, so
    a key id this host has not seen (another host rotated) is found, not refused.
    """

    __slots__ = ("_aead", "_index_key", "_index_mac", "_keys", "_reload", "_signing", "current_kid")

    def __init__(
        self,
        keys: Mapping[str, bytes],
        current_kid: str,
        index_key: bytes,
        signing: SigningKeys | None = None,
        *,
        reload: Callable[[], KeyRing] | None = None,
    ) -> None:
        if current_kid not in keys:
            raise KeyRingError(f"current key id {current_kid!r} is not among the keys")
        if any(len(key) != KEY_BYTES for key in [*keys.values(), index_key]):
            raise KeyRingError(f"every key must be {KEY_BYTES} bytes")
        if any(not kid or ":" in kid for kid in keys):
            raise KeyRingError("key ids must be non-empty and contain no ':'")
        self._keys = dict(keys)
        self._aead = {kid: AESGCM(key) for kid, key in self._keys.items()}
        self._index_key = index_key
        # Keyed once: each blind index copies it rather than keying HMAC afresh (a third
        # less work a number: a million-card load computes a million).
        self._index_mac = hmac.new(index_key, digestmod=hashlib.sha256)
        self._signing = signing or SigningKeys.generate()
        self._reload = reload
        self.current_kid = current_kid

    def __repr__(self) -> str:
        return f"KeyRing(current_kid={self.current_kid!r}, kids={sorted(self._keys)!r})"

    @classmethod
    def generate(cls) -> KeyRing:
        return cls({"k1": secrets.token_bytes(KEY_BYTES)}, "k1", secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        """Parse a version-1 key file (the data keys themselves, as earlier releases kept
        them); `kek.py` imports such a ring into the database."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise KeyRingError("key ring is not valid JSON") from exc
        if not isinstance(data, dict) or data.get("version") != 1:
            raise KeyRingError("key ring must be an object with version 1")
        keys = data.get("keys")
        if not isinstance(keys, dict) or not keys:
            raise KeyRingError("key ring has no data keys")
        current = data.get("current")
        if not isinstance(current, str):
            raise KeyRingError("key ring has no current key id")
        decoded = {str(kid): decode_key(value, f"key {kid!r}") for kid, value in keys.items()}
        index_key = decode_key(data.get("index_key"), "index_key")
        return cls(decoded, current, index_key, _decode_signing(data.get("signing")))

    @property
    def data_keys(self) -> Mapping[str, bytes]:
        return dict(self._keys)

    @property
    def index_key(self) -> bytes:
        return self._index_key

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)  # what secrets.token_bytes returns, two calls sooner
        sealed = self._aead[self.current_kid].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
        return f"{self.current_kid}:{body}"

    def decrypt(self, token: str, *, context: str) -> str:
        kid, _, body = token.partition(":")
        aead = self._aead.get(kid) or self._reload_for(kid)
        if aead is None:
            raise DecryptionError(f"no key with id {kid!r} in the key ring")
        raw = _decode_token_body(body)
        if len(raw) <= NONCE_BYTES:
            raise DecryptionError("token is too short")
        try:
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
        except InvalidTag as exc:
            raise DecryptionError(
                "token was altered or belongs to another context; refusing to decrypt"
            ) from exc
        return plain.decode("utf-8")

    def refresh(self) -> None:
        """Take the stored ring's keys and current key id (another host may have rotated)."""
        if self._reload is None:
            return
        fresh = self._reload()
        if fresh._index_key != self._index_key:
            raise KeyRingError("the stored blind-index key differs from this host's")
        self._keys.update(fresh._keys)
        self._aead.update(fresh._aead)
        self._signing = fresh._signing
        if fresh.current_kid != self.current_kid:
            log.info("key ring reloaded: current key %s", fresh.current_kid)
        self.current_kid = fresh.current_kid

    def _reload_for(self, kid: str) -> AESGCM | None:
        try:
            self.refresh()
        except KeyRingError:
            log.exception("key ring could not be reloaded")
            return None
        return self._aead.get(kid)

    def blind_index(self, normalised_id: str) -> str:
        """Hex HMAC-SHA256 of an already normalised number (normalise first, or lookups miss)."""
        mac = self._index_mac.copy()
        mac.update(normalised_id.encode("utf-8"))
        return mac.hexdigest()

    def audit_key(self) -> bytes:
        """The audit chain's MAC key. Derived from the index key, which never rotates: the
        chain must stay verifiable, back to its first keyed event, across rotations."""
        return hmac.new(self._index_key, b"bluecard/audit-chain/v1", hashlib.sha256).digest()

    def needs_reencrypt(self, token: str) -> bool:
        return token.partition(":")[0] != self.current_kid

    def signing_keys(self) -> SigningKeys:
        """The Ed25519 keys that sign published snapshots (`signing.py`)."""
        return self._signing


def _decode_token_body(body: str) -> bytes:
    # The decoder skips stray characters and ignores spare bits; re-encoding makes sure
    # each stored token has exactly one spelling.
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("token is not valid base64url") from exc
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != body:
        raise DecryptionError("token is not canonical base64url")
    return raw


def _decode_signing(value: object) -> SigningKeys | None:
    if value is None:
        return None
    try:
        return SigningKeys.from_json_obj(value)
    except ValueError as exc:
        raise KeyRingError(str(exc)) from exc


def decode_key(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyRingError(f"{what} is missing or not a string")
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise KeyRingError(f"{what} is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise KeyRingError(f"{what} must be {KEY_BYTES} bytes")
    return key
