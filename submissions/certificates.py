"""电子证照: certificates signed by the city.

The signed payload is canonical JSON (sorted keys, no spaces) of the
certificate's public fields; the QR code carries
`ZJCERT1.<base64url payload>.<base64url Ed25519 signature>`. Anyone can ask
`verify` whether a payload was signed by one of the city's keys, matches the
certificate on record and is not revoked. Personal data in the payload is
masked, since a QR code is shown to whoever checks it.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.crypto import mask_id_number, mask_name

from .deadlines import local_date
from .errors import CertificateNotFound, InvalidTransition, StaffForbidden
from .form_privacy import unseal
from .models import Application, Certificate
from .services.access import holder_certificate, may_revoke_certificate

__all__ = ["CertificateSigner", "build_signer", "holder_certificate", "issue_certificate", "public_view",
           "revoke_certificate", "verify_payload"]


PREFIX = "ZJCERT1"


class CertificateSigner:
    def __init__(self, private_key: Ed25519PrivateKey, key_id: str):
        self.private_key = private_key
        self.key_id = key_id
        self.public_keys: dict[str, Ed25519PublicKey] = {key_id: private_key.public_key()}

    @classmethod
    def from_setting(cls, raw: str, key_id: str) -> "CertificateSigner":
        seed = base64.b64decode(raw.strip(), validate=True)
        if len(seed) != 32:
            raise ValueError("SUBMISSIONS_CERT_SIGNING_KEY must be the base64 of a 32-byte Ed25519 seed")
        return cls(Ed25519PrivateKey.from_private_bytes(seed), key_id)

    def sign(self, payload: bytes) -> bytes:
        return self.private_key.sign(payload)


def build_signer(config, env_name: str, instance_dir: Path | None) -> CertificateSigner:
    """The configured key; in development one kept under instance/ (so every
    worker and restart signs alike); in tests a fresh one."""
    raw = config.get("SUBMISSIONS_CERT_SIGNING_KEY") or ""
    key_id = config["SUBMISSIONS_CERT_KEY_ID"]
    if raw:
        return CertificateSigner.from_setting(raw, key_id)
    if env_name == "development" and instance_dir is not None:
        path = instance_dir / ".submissions_cert_key"
        if not path.exists():
            instance_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)
        return CertificateSigner.from_setting(path.read_text(), key_id)
    return CertificateSigner(Ed25519PrivateKey.generate(), key_id)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def issue_certificate(session: Session, signer: CertificateSigner, application: Application, actor: Actor,
                      now) -> Certificate:
    """Add the certificate of a completed, approved application (not committed)."""
    form = unseal(application.form_data)
    issued_on = local_date(now)
    cert_id = secrets.token_hex(16)
    number = f"{application.item_code}-{issued_on:%Y%m%d}-{application.id:08d}"
    fields = {"holder_name": mask_name(form.get("name")), "holder_id_number": mask_id_number(form.get("id_number")),
              "item_name": application.item_name, "issued_on": issued_on.isoformat()}
    document = {"v": 1, "id": cert_id, "type": application.certificate_type, "number": number,
                "dept": application.department_code, "fields": fields,
                "issued_at": now.isoformat(), "kid": signer.key_id}
    body = _canonical(document)
    payload = f"{PREFIX}.{_b64(body)}.{_b64(signer.sign(body))}"
    certificate = Certificate(id=cert_id, application_id=application.id, citizen_id=application.citizen_id,
                              certificate_type=application.certificate_type, number=number,
                              department_code=application.department_code, fields=fields, issued_at=now,
                              key_id=signer.key_id, payload=payload)
    session.add(certificate)
    audit.record(session, actor, "submissions.certificate_issue", "certificate", cert_id,
                 {"application_id": application.id, "number": number}, at=now)
    return certificate


def verify_payload(session: Session, signer: CertificateSigner, payload: str) -> dict:
    """Anyone may check a payload: {valid, revoked, reason, certificate}."""
    def answer(valid: bool, reason: str, certificate: Certificate | None = None, revoked: bool = False) -> dict:
        return {"valid": valid, "revoked": revoked, "reason": reason,
                "certificate": None if certificate is None else public_view(certificate)}

    parts = payload.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return answer(False, "不是本市电子证照的二维码内容")
    try:
        body, signature = _unb64(parts[1]), _unb64(parts[2])
        document = json.loads(body)
        key = signer.public_keys.get(document.get("kid")) if isinstance(document, dict) else None
    except (binascii.Error, ValueError):
        return answer(False, "二维码内容已损坏")
    if key is None:
        return answer(False, "签名密钥未知")
    try:
        key.verify(signature, body)
    except InvalidSignature:
        return answer(False, "签名无效，证照内容可能被篡改")
    certificate = session.get(Certificate, str(document.get("id")))
    if certificate is None or certificate.payload != payload.strip():
        return answer(False, "未找到与之相符的证照记录")
    if certificate.revoked_at is not None:
        return answer(False, "证照已注销", certificate, revoked=True)
    return answer(True, "证照真实有效", certificate)


def public_view(certificate: Certificate) -> dict:
    return {"id": certificate.id, "certificate_type": certificate.certificate_type, "number": certificate.number,
            "department_code": certificate.department_code, "fields": certificate.fields,
            "issued_at": certificate.issued_at, "revoked_at": certificate.revoked_at}


def revoke_certificate(session: Session, actor: Actor, clock, certificate_id: str, reason: str) -> Certificate:
    """Approvers or admins of the issuing department (or the platform admin) revoke."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise CertificateNotFound("电子证照不存在")
    if not may_revoke_certificate(actor, certificate):
        raise StaffForbidden("只有发证部门的审批人员可以注销证照")
    now = clock.now()
    # Conditional on "not yet revoked": of two revocations at once, one wins.
    result = session.execute(update(Certificate).where(Certificate.id == certificate_id,
                                                       Certificate.revoked_at.is_(None))
                             .values(revoked_at=now, revoked_reason=reason)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition("证照已注销", code="submissions.certificate_revoked")
    audit.record(session, actor, "submissions.certificate_revoke", "certificate", certificate_id,
                 {"reason": reason}, at=now)
    session.refresh(certificate)
    return certificate
