"""Certificates (tampering, revocation, holder only) and the platform hooks
(citizen merge and erasure)."""

from __future__ import annotations

import base64
import json

from mobile_api import hooks

from submissions.models import Application, ApplicationEvent, ApplicationFile, Certificate


def _certificate(flow, client):
    app_id = flow.accepted()
    flow.staff(flow.approver, app_id, "approve")
    cert_id = flow.staff(flow.approver, app_id, "complete").json["certificate_id"]
    return app_id, client.get(f"/api/v1/certificates/{cert_id}", headers=flow.h()).json


def test_tampered_or_foreign_payloads_do_not_verify(flow, client):
    _, cert = _certificate(flow, client)
    prefix, body, signature = cert["payload"].split(".")
    document = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    document["fields"]["holder_name"] = "李*"
    forged_body = base64.urlsafe_b64encode(json.dumps(document, ensure_ascii=False, sort_keys=True,
                                                      separators=(",", ":")).encode()).rstrip(b"=").decode()
    for payload, reason in ((f"{prefix}.{forged_body}.{signature}", "签名无效"),
                            ("hello world", "不是本市"), (f"{prefix}.!!!.???", "损坏")):
        answer = client.post("/api/v1/certificates/verify", json={"payload": payload})
        assert answer.status_code == 200 and answer.json["valid"] is False, payload
        assert reason in answer.json["reason"]
    assert client.post("/api/v1/certificates/verify", json={}).status_code == 422


def test_a_key_the_city_does_not_hold_is_refused(flow, client, app):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from submissions.certificates import CertificateSigner

    _, cert = _certificate(flow, client)
    prefix, body, _ = cert["payload"].split(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    impostor = CertificateSigner(Ed25519PrivateKey.generate(), app.extensions["submissions_signer"].key_id)
    signature = base64.urlsafe_b64encode(impostor.sign(raw)).rstrip(b"=").decode()
    answer = client.post("/api/v1/certificates/verify", json={"payload": f"{prefix}.{body}.{signature}"})
    assert answer.json["valid"] is False


def test_revoked_certificate_no_longer_verifies(flow, client, make):
    _, cert = _certificate(flow, client)
    other_department = make.staff("approver", "gongan")
    denied = client.post(f"/api/v1/staff/certificates/{cert['id']}/revoke", json={"reason": "信息有误"},
                         headers=make.headers(other_department))
    assert denied.status_code == 403
    revoked = client.post(f"/api/v1/staff/certificates/{cert['id']}/revoke", json={"reason": "信息有误"},
                          headers=make.headers(flow.approver))
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    answer = client.post("/api/v1/certificates/verify", json={"payload": cert["payload"]})
    assert answer.json == dict(answer.json, valid=False, revoked=True)
    again = client.post(f"/api/v1/staff/certificates/{cert['id']}/revoke", json={"reason": "信息有误"},
                        headers=make.headers(flow.approver))
    assert again.status_code == 409


def test_only_the_holder_reads_a_certificate(flow, client, make):
    _, cert = _certificate(flow, client)
    assert client.get(f"/api/v1/certificates/{cert['id']}", headers=make.headers(make.citizen())).status_code == 404
    assert client.get("/api/v1/certificates/nope", headers=flow.h()).status_code == 404


def test_citizen_merge_moves_applications_and_certificates(flow, client, make, session):
    app_id, cert = _certificate(flow, client)
    other = make.citizen()
    hooks.merge_citizens(session, flow.citizen.id, other.id)
    session.commit()
    assert client.get(f"/api/v1/applications/{app_id}", headers=make.headers(other)).status_code == 200
    assert client.get(f"/api/v1/certificates/{cert['id']}", headers=make.headers(other)).status_code == 200
    assert client.get(f"/api/v1/applications/{app_id}", headers=flow.h()).status_code == 404


def test_erasure_keeps_the_record_pseudonymised_and_drops_drafts(flow, client, session, clock):
    kept_id = flow.submitted()
    clerk_headers = flow.make.headers(flow.clerk)
    draft_id = flow.create().json["id"]
    flow.upload(draft_id, "M03")
    hooks.erase_citizen(session, flow.citizen.id, clock.now())
    session.commit()
    kept = session.get(Application, kept_id)
    assert kept.citizen_id is None and kept.erased_at is not None
    assert set(kept.form_data.values()) == {"（已删除）"}
    assert session.get(Application, draft_id) is None
    assert not session.query(ApplicationFile).filter_by(application_id=draft_id).count()
    assert not session.query(ApplicationEvent).filter_by(application_id=draft_id).count()
    assert session.query(Certificate).filter_by(citizen_id=flow.citizen.id).count() == 0
    session.close()  # end the read before the requests (they share the test's connection)
    assert client.get("/api/v1/applications", headers=flow.h()).json == []
    # Staff still see the record of what was decided.
    assert client.get(f"/api/v1/staff/applications/{kept_id}", headers=clerk_headers).status_code == 200
