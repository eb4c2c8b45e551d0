"""电子证照 endpoints: the holder's certificate, public verification, revocation."""

from __future__ import annotations

from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles

from .. import certificates
from ..schemas import CertificateSchema, RevokeSchema, VerifyRequestSchema, VerifyResultSchema
from . import common

blp = Blueprint("submissions_certificates", __name__, url_prefix="/api/v1", description="电子证照")


@blp.route("/certificates/<cert_id>", methods=["GET"])
@require_roles("citizen")
@blp.response(200, CertificateSchema)
@blp.alt_response(404, description="证照不存在")
def get_certificate(cert_id):
    """My certificate, with the QR payload to show."""
    certificate = certificates.holder_certificate(common.session(), current_actor(), cert_id)
    return dict(certificates.public_view(certificate), payload=certificate.payload)


@blp.route("/certificates/verify", methods=["POST"])
@blp.arguments(VerifyRequestSchema)
@blp.response(200, VerifyResultSchema)
def verify_certificate(body):
    """Check a QR payload: signed by the city, matching the record, not revoked (anyone)."""
    return certificates.verify_payload(common.session(), common.signer(), body["payload"])


@blp.route("/staff/certificates/<cert_id>/revoke", methods=["POST"])
@require_roles("approver", "admin")
@blp.arguments(RevokeSchema)
@blp.response(200, CertificateSchema)
def revoke_certificate(body, cert_id):
    """Revoke a certificate (issuing department's approvers or admins)."""
    certificate = certificates.revoke_certificate(common.session(), current_actor(), common.clock(), cert_id,
                                                  body["reason"])
    return certificates.public_view(certificate)
