"""The check-in QR payload: `BK1.<appointment id>.<nonce>.<signature>`.

The signature (HMAC-SHA256) makes it unforgeable; the nonce is stored on the
appointment and checked by the conditional UPDATE that checks in, and it is
replaced on reschedule, so a copy is useless after use, cancellation or a
change of time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "BK1"


def derive_key(qr_key: str, secret_key: str) -> bytes:
    if qr_key:
        return qr_key.encode()
    return hmac.new(secret_key.encode(), b"booking-qr-v1", hashlib.sha256).digest()


def _signature(key: bytes, appointment_id: int, nonce: str) -> str:
    mac = hmac.new(key, f"{PREFIX}.{appointment_id}.{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode().rstrip("=")


def sign(key: bytes, appointment_id: int, nonce: str) -> str:
    return f"{PREFIX}.{appointment_id}.{nonce}.{_signature(key, appointment_id, nonce)}"


def verify(key: bytes, payload: str) -> tuple[int, str] | None:
    """(appointment id, nonce) if the payload is ours and untampered, else None."""
    if not isinstance(payload, str) or len(payload) > 200:
        return None
    parts = payload.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    appointment_id, nonce, signature = int(parts[1]), parts[2], parts[3]
    if not hmac.compare_digest(signature, _signature(key, appointment_id, nonce)):
        return None
    return appointment_id, nonce
