"""The certificate hash WeChat's 人脸核身 uses to bind a verify_id to a person."""

from __future__ import annotations

import base64
import hashlib

ID_CARD = "IDENTITY_CARD"


def cert_hash(cert_type: str, cert_name: str, cert_no: str) -> str:
    """queryVerifyInfo's cert_hash: base64(sha256("cert_type=…&cert_name=…&cert_no=…"))."""
    raw = f"cert_type={cert_type}&cert_name={cert_name}&cert_no={cert_no}".encode("utf-8")
    return base64.b64encode(hashlib.sha256(raw).digest()).decode("ascii")
