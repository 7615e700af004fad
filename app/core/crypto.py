"""Protection of ID numbers at rest: AES-256-GCM encryption and an HMAC-SHA256 blind index.

A ciphertext token is `<key id>:<base64url(nonce | ciphertext | tag)>`. The key id lets
old rows be decrypted after a rotation; `needs_reencrypt` finds them. The `context`
(e.g. `talent.id_number`) is bound as associated data, so a token copied into another
column does not decrypt there.

The blind index is a keyed hash of the normalised number, for exact-match lookups without
decrypting. Its key never rotates with the data keys: rotating it would change every
stored index and break every lookup until all rows were rewritten.

Key file (mode 0600): `{"version": 1, "current": "k2", "keys": {"k1": "<b64>", "k2":
"<b64>"}, "index_key": "<b64>", "signing": {...}}`, each key 32 random bytes. Losing it
makes every stored ID number unreadable and unfindable: back it up. `signing` holds the
Ed25519 keys of published snapshots (`signing.py`); a file without it gets one added the
first time something is signed.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.core.signing import SigningKeys

log = logging.getLogger("bluecard.crypto")

KEY_FILE_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12


class KeyRingError(ValueError):
    """The key material is missing, malformed or unusable (messages never hold key bytes)."""


class DecryptionError(ValueError):
    """A token cannot be decrypted: altered, truncated, another context, or an unknown key."""


class KeyRing:
    """Data keys by key id, the current key id, and the blind-index key."""

    __slots__ = ("_aead", "_index_key", "_keys", "_signing", "_source", "current_kid")

    def __init__(
        self,
        keys: Mapping[str, bytes],
        current_kid: str,
        index_key: bytes,
        signing: SigningKeys | None = None,
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
        self._source: Path | None = None
        self._signing = signing
        self.current_kid = current_kid

    def __repr__(self) -> str:
        return f"KeyRing(current_kid={self.current_kid!r}, kids={sorted(self._keys)!r})"

    @classmethod
    def generate(cls) -> KeyRing:
        return cls(
            {"k1": secrets.token_bytes(KEY_BYTES)},
            "k1",
            secrets.token_bytes(KEY_BYTES),
            SigningKeys.generate(),
        )

    @classmethod
    def load_or_create(cls, path: Path, *, create: bool = True) -> KeyRing:
        """Load the key file, or create it (mode 0600) when absent and `create` allows."""
        if not path.exists():
            if not create:
                raise KeyRingError(f"key file {path} does not exist")
            created = cls.generate()
            if created._write(path, replace=False):
                created._source = path
                log.warning(
                    "Created a new data-protection key file at %s. Back it up now: without "
                    "it the stored ID numbers can neither be read nor looked up.",
                    path,
                )
                return created
            # Another process created it first: use theirs, so all workers share one ring.
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("Key file %s is accessible to group or others; run chmod 600 on it", path)
        ring = cls.from_json(path.read_text(encoding="utf-8"))
        ring._source = path
        return ring

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        """Parse the key file format (also what BLUECARD_KEYS holds)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise KeyRingError("key ring is not valid JSON") from exc
        if not isinstance(data, dict) or data.get("version") != KEY_FILE_VERSION:
            raise KeyRingError(f"key ring must be an object with version {KEY_FILE_VERSION}")
        keys = data.get("keys")
        if not isinstance(keys, dict) or not keys:
            raise KeyRingError("key ring has no data keys")
        current = data.get("current")
        if not isinstance(current, str):
            raise KeyRingError("key ring has no current key id")
        decoded = {str(kid): _decode_key(value, f"key {kid!r}") for kid, value in keys.items()}
        index_key = _decode_key(data.get("index_key"), "index_key")
        return cls(decoded, current, index_key, _decode_signing(data.get("signing")))

    def to_json(self) -> str:
        content: dict[str, object] = {
            "version": KEY_FILE_VERSION,
            "current": self.current_kid,
            "keys": {kid: base64.b64encode(key).decode() for kid, key in self._keys.items()},
            "index_key": base64.b64encode(self._index_key).decode(),
        }
        if self._signing is not None:
            content["signing"] = self._signing.to_json_obj()
        return json.dumps(content, indent=2)

    def save(self, path: Path) -> None:
        """Write the key file atomically with mode 0600, replacing any existing one."""
        self._write(path, replace=True)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
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

    def _reload_for(self, kid: str) -> AESGCM | None:
        """A key id we don't know may come from a rotation by another process (`bluecard keys
        rotate` while servers run): take the file's newer keys instead of failing."""
        if self._source is None or not self._source.exists():
            return None
        fresh = KeyRing.from_json(self._source.read_text(encoding="utf-8"))
        if fresh._index_key != self._index_key or kid not in fresh._keys:
            return None
        self._keys.update(fresh._keys)
        self._aead.update(fresh._aead)
        self.current_kid = fresh.current_kid
        log.info("key ring reloaded from %s: current key %s", self._source, self.current_kid)
        return self._aead[kid]

    def blind_index(self, normalised_id: str) -> str:
        """Hex HMAC-SHA256 of an already normalised number (normalise first, or lookups miss)."""
        return hmac.new(self._index_key, normalised_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def audit_key(self) -> bytes:
        """The audit chain's MAC key. Derived from the index key, which never rotates: the
        chain must stay verifiable, back to its first keyed event, across rotations."""
        return hmac.new(self._index_key, b"bluecard/audit-chain/v1", hashlib.sha256).digest()

    def needs_reencrypt(self, token: str) -> bool:
        return token.partition(":")[0] != self.current_kid

    def rotate(self) -> KeyRing:
        """A ring whose new data key is current; old keys stay for decryption, index key kept."""
        numbers = [int(kid[1:]) for kid in self._keys if kid[:1] == "k" and kid[1:].isdecimal()]
        kid = f"k{max(numbers, default=0) + 1}"
        keys = {**self._keys, kid: secrets.token_bytes(KEY_BYTES)}
        return KeyRing(keys, kid, self._index_key, self._signing)

    def signing_keys(self) -> SigningKeys:
        """The snapshot-signing keys; a ring without any gets a pair, saved to its key file
        (a ring from BLUECARD_KEYS keeps it in memory only: put `signing` in the variable)."""
        if self._signing is None:
            self._signing = self._create_signing()
        return self._signing

    def rotate_signing(self) -> KeyRing:
        """A ring whose new signing key is current; the old ones stay listed."""
        return KeyRing(self._keys, self.current_kid, self._index_key, self.signing_keys().rotate())

    def _create_signing(self) -> SigningKeys:
        if self._source is None:
            log.warning("the key ring has no signing key: generated one for this process only")
            return SigningKeys.generate()
        # Under a lock, from the file as it is now: concurrent workers agree on one pair, and
        # a data-key rotation written meanwhile is kept.
        with _locked(self._source):
            fresh = KeyRing.from_json(self._source.read_text(encoding="utf-8"))
            if fresh._signing is None:
                fresh._signing = SigningKeys.generate()
                fresh.save(self._source)
                log.warning("Added a signing key to %s: back the file up again.", self._source)
            return fresh._signing

    def _write(self, path: Path, *, replace: bool) -> bool:
        """Write via a 0600 temporary file in the same folder, then move it into place.

        With `replace=False` the move is a hard link, which fails when the file already
        exists: two workers starting at once cannot each create their own ring.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(self.to_json())
                out.flush()
                os.fsync(out.fileno())
            if replace:
                os.replace(tmp, path)
                return True
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            return True
        finally:
            Path(tmp).unlink(missing_ok=True)


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


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with (path.parent / f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _decode_signing(value: object) -> SigningKeys | None:
    if value is None:
        return None
    try:
        return SigningKeys.from_json_obj(value)
    except ValueError as exc:
        raise KeyRingError(str(exc)) from exc


def _decode_key(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyRingError(f"{what} is missing or not a string")
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise KeyRingError(f"{what} is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise KeyRingError(f"{what} must be {KEY_BYTES} bytes")
    return key
