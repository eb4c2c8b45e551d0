"""Encryption at rest for personal data, and keyed blind indexes to look it up.

One secret (DATA_ENCRYPTION_KEY) is stretched with HKDF into separate keys per
purpose, so a blind index never reveals the encryption key and vice versa.
Ciphertexts carry a version byte so the key can be rotated later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"


class DecryptionError(Exception):
    pass


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fingertip-v1", info=purpose).derive(
        secret.encode("utf-8"))


class PersonalDataCipher:
    def __init__(self, secret: str):
        if not secret:
            raise ValueError("DATA_ENCRYPTION_KEY is empty")
        self._aead = AESGCM(_derive(secret, b"encrypt"))
        self._index_key = _derive(secret, b"blind-index")

    def encrypt_bytes(self, plaintext: bytes, context: str = "") -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext, context.encode())
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode("ascii")

    def decrypt_bytes(self, token: str, context: str = "") -> bytes:
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
            if raw[:1] != _VERSION:
                raise DecryptionError("unknown ciphertext version")
            return self._aead.decrypt(raw[1:13], raw[13:], context.encode())
        except DecryptionError:
            raise
        except Exception as exc:  # InvalidTag, bad base64
            raise DecryptionError("ciphertext cannot be decrypted with this key") from exc

    def encrypt(self, plaintext: str, context: str = "") -> str:
        return self.encrypt_bytes(plaintext.encode("utf-8"), context)

    def decrypt(self, token: str, context: str = "") -> str:
        return self.decrypt_bytes(token, context).decode("utf-8")

    def blind_index(self, value: str, purpose: str) -> str:
        """Deterministic keyed hash for equality look-ups (unique constraints)."""
        mac = hmac.new(self._index_key, purpose.encode() + b"\x00" + value.encode("utf-8"), hashlib.sha256)
        return mac.hexdigest()


def mask_id_number(value: str | None) -> str | None:
    """4401**********123X: region and the last four characters stay visible."""
    if not value:
        return value
    if len(value) <= 8:
        return value[0] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """138****5678."""
    if not value:
        return value
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """张*三 / 张*: only the first character of a Chinese name stays."""
    if not value:
        return value
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
