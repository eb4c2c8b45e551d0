"""Staff passwords, hashed with scrypt (a slow, memory-hard KDF from the
standard library). The parameters are stored with each hash so they can be
raised later without invalidating old hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

DEFAULT_N = 2**14
_R, _P = 8, 1


def hash_password(password: str, n: int = DEFAULT_N) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=_R, p=_P, maxmem=256 * 1024 * 1024, dklen=32)
    return "scrypt${}${}${}${}${}".format(n, _R, _P, base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest_b64)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt_b64), n=int(n), r=int(r),
                                p=int(p), maxmem=256 * 1024 * 1024, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Verified against when the username is unknown, so a wrong username and a
# wrong password take the same time.
_DUMMIES: dict[int, str] = {}


def dummy_hash(n: int = DEFAULT_N) -> str:
    if n not in _DUMMIES:
        _DUMMIES[n] = hash_password("not-a-real-password", n=n)
    return _DUMMIES[n]


# Passwords that pass a length rule and are still the first ones guessed.
_COMMON = {"password123", "password1234", "1234567890", "12345678910", "qwertyuiop", "qwerty123456",
           "1qaz2wsx3edc", "abc1234567", "a1234567890", "admin123456", "administrator", "iloveyou123",
           "woaini1314", "passw0rd123", "p@ssw0rd123", "zhijian1234", "0123456789"}
MIN_LENGTH = 10
MAX_LENGTH = 256


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why this staff password is too weak (in Chinese), or None if it will do."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符"
    if len(set(password)) < 4:
        return "密码不能由极少数字符重复组成"
    classes = sum([any(c.isalpha() for c in password), any(c.isdigit() for c in password),
                   any(not c.isalnum() for c in password)])
    if classes < 2:
        return "密码应至少包含字母、数字、符号(含空格)中的两类"
    if password.lower() in _COMMON:
        return "密码过于常见，请换一个"
    if username and len(username) >= 3 and username.lower() in password.lower():
        return "密码不能包含用户名"
    return None


def generate_password() -> str:
    """A random password that meets `password_problem` (demo accounts, resets)."""
    import secrets

    while True:
        candidate = secrets.token_urlsafe(12)
        if password_problem(candidate) is None:
            return candidate
