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
