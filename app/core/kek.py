"""The key-encryption keys (KEKs) every host is given; the data keys live in the database.

A host holds only the KEKs, in the key file (`BLUECARD_KEY_FILE`, mode 0600) or in
`BLUECARD_KEYS`: `{"version": 2, "current": "w1", "keks": {"w1": "<b64>"}}`, each key 32
random bytes. The data keys, the blind-index key and the signing keys are rows of the
database, each wrapped (AES-256-GCM) under one KEK (`key_store.py`), so every host sees a
rotation of the data key at once, and rotating a KEK rewraps only those few rows. A KMS
would stand where this class stands: `wrap` and `unwrap` are its whole interface.

A version-1 file (the data keys themselves, as earlier releases wrote it) still works:
its keys are imported into the database on first use, wrapped under a KEK derived from
the file's own index key, so the same file opens them after the upgrade.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.crypto import KEY_BYTES, NONCE_BYTES, KeyRing, KeyRingError, decode_key

log = logging.getLogger("bluecard.crypto")

FILE_VERSION = 2
LEGACY_KEK_ID = "v1"


class KeyEncryptionKeys:
    """KEKs by id and the current one; `legacy` is a version-1 file's ring, to import."""

    __slots__ = ("_aead", "_keys", "current", "legacy")

    def __init__(
        self, keys: Mapping[str, bytes], current: str, legacy: KeyRing | None = None
    ) -> None:
        if current not in keys:
            raise KeyRingError(f"current key-encryption key {current!r} is not among the keys")
        if any(len(key) != KEY_BYTES for key in keys.values()):
            raise KeyRingError(f"every key-encryption key must be {KEY_BYTES} bytes")
        self._keys = dict(keys)
        self._aead = {kid: AESGCM(key) for kid, key in self._keys.items()}
        self.current = current
        self.legacy = legacy

    def __repr__(self) -> str:
        return f"KeyEncryptionKeys(current={self.current!r}, ids={sorted(self._keys)!r})"

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    @classmethod
    def generate(cls) -> KeyEncryptionKeys:
        return cls({"w1": secrets.token_bytes(KEY_BYTES)}, "w1")

    def rotate(self) -> KeyEncryptionKeys:
        """A new current KEK; the old ones stay until every row is rewrapped."""
        numbers = [int(kid[1:]) for kid in self._keys if kid[:1] == "w" and kid[1:].isdecimal()]
        kid = f"w{max(numbers, default=0) + 1}"
        return KeyEncryptionKeys({**self._keys, kid: secrets.token_bytes(KEY_BYTES)}, kid)

    def wrap(self, kid: str, purpose: str, raw: bytes) -> str:
        """`raw` sealed under the current KEK, bound to the key's id and purpose."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead[self.current].encrypt(nonce, raw, _bound(kid, purpose))
        return base64.b64encode(nonce + sealed).decode("ascii")

    def unwrap(self, kek_id: str, kid: str, purpose: str, wrapped: str) -> bytes:
        aead = self._aead.get(kek_id)
        if aead is None:
            raise KeyRingError(f"key-encryption key {kek_id!r} is not configured on this host")
        try:
            raw = base64.b64decode(wrapped, validate=True)
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _bound(kid, purpose))
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise KeyRingError(f"key-encryption key {kek_id!r} does not open key {kid!r}") from exc

    @classmethod
    def from_json(cls, text: str) -> KeyEncryptionKeys:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise KeyRingError("key file is not valid JSON") from exc
        if isinstance(data, dict) and data.get("version") == 1:
            ring = KeyRing.from_json(text)
            return cls(
                {LEGACY_KEK_ID: derive(ring.index_key, b"bluecard kek")}, LEGACY_KEK_ID, ring
            )
        if not isinstance(data, dict) or data.get("version") != FILE_VERSION:
            raise KeyRingError(f"key file must be an object with version {FILE_VERSION}")
        keks, current = data.get("keks"), data.get("current")
        if not isinstance(keks, dict) or not keks or not isinstance(current, str):
            raise KeyRingError("key file has no key-encryption keys")
        return cls(
            {
                str(kid): decode_key(value, f"key-encryption key {kid!r}")
                for kid, value in keks.items()
            },
            current,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": FILE_VERSION,
                "current": self.current,
                "keks": {kid: base64.b64encode(key).decode() for kid, key in self._keys.items()},
            },
            indent=2,
        )

    @classmethod
    def load_or_create(cls, path: Path, *, create: bool) -> KeyEncryptionKeys:
        """Load the key file, or create it (mode 0600) when absent and `create` allows.
        Two processes creating at once agree on one file (the second reads the first's)."""
        if not path.exists():
            if not create:
                raise KeyRingError(f"key file {path} does not exist")
            if _write(path, cls.generate().to_json(), replace=False):
                log.warning(
                    "Created a new key-encryption key file at %s. Back it up now: without it "
                    "the stored ID numbers can neither be read nor looked up.",
                    path,
                )
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("Key file %s is accessible to group or others; run chmod 600 on it", path)
        return cls.from_json(path.read_text(encoding="utf-8"))

    def save(self, path: Path) -> None:
        """Write the key file atomically with mode 0600, replacing any existing one."""
        _write(path, self.to_json(), replace=True)


def _bound(kid: str, purpose: str) -> bytes:
    return f"bluecard {purpose} key {kid}".encode()


def derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(secret)


def _write(path: Path, content: str, *, replace: bool) -> bool:
    """Write via a 0600 temporary file in the same folder, then move it into place.

    With `replace=False` the move is a hard link, which fails when the file already exists:
    two processes starting at once cannot each create their own file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(content)
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
