"""Password hashing (Argon2id) and the minimum policy for new passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the username is unknown, so failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


class WeakPassword(ValueError):
    code = "weak_password"


def check_policy(password: str, *, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少需要 {MIN_LENGTH} 个字符。")
    if username and username.lower() in password.lower():
        raise WeakPassword("密码不能包含用户名。")
    kinds = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if kinds < 3:
        raise WeakPassword("密码需包含大写字母、小写字母、数字、符号中的至少三类。")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
