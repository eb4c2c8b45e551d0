"""Reference enrolment by a kiosk or a clerk, and the consent endpoints."""

import io

import numpy as np
from sqlalchemy import func, select

from identity.face import engine
from identity.face.consent import CONSENT_TEXT_VERSION, has_consent
from identity.face.enrolment import TEMPLATE_CONTEXT
from identity.face.models import FaceConsent, FaceTemplate
from identity.id_numbers import make_id_number
from mobile_api.audit import AuditEntry

from . import face_photos as photos

ID = make_id_number("44190019700505005")


def _enrol(client, headers, photo, id_number=ID, consented="true"):
    return client.post("/api/v1/identity/face/enrolments", headers=headers,
                       data={"id_number": id_number, "citizen_consented": consented,
                             "photo": (io.BytesIO(photo), "chip.jpg")},
                       content_type="multipart/form-data")


def test_a_kiosk_enrols_a_chip_photo_as_an_encrypted_template(client, make, session, app):
    kiosk, _ = make.kiosk()
    # a chip photo is tiny (102 × 126): the face is still found
    chip = photos.jpeg(photos.photo("obama_reference").resize((102, 126)))
    response = _enrol(client, make.headers(kiosk), chip)
    assert response.status_code == 201, response.json
    assert response.json["replaced"] is False and response.json["id_number_masked"] == ID[:4] + "*" * 10 + ID[-4:]
    row = session.scalar(select(FaceTemplate))
    stored = engine.template_from_bytes(app.extensions["cipher"].decrypt_bytes(row.template_enc, TEMPLATE_CONTEXT))
    assert stored.shape == (128,)
    assert engine.distance(stored, photos.encoding_of("obama_reference")) < 0.2
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "identity.face_enrol"))
    assert ID not in str(audit.details) and audit.principal_kind == "kiosk"


def test_a_clerk_re_enrols_and_replaces(client, make, session):
    clerk = make.staff("clerk")
    headers = make.headers(clerk)
    assert _enrol(client, headers, photos.raw("obama_reference")).json["replaced"] is False
    again = _enrol(client, headers, photos.raw("obama_reference"))
    assert again.status_code == 201 and again.json["replaced"] is True
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 1


def test_citizens_cannot_enrol(client, make):
    assert _enrol(client, make.headers(make.citizen()), photos.raw("obama_reference")).status_code == 403


def test_enrolment_refuses_no_face_two_faces_bad_id_and_no_consent(client, make, session):
    headers = make.headers(make.kiosk()[0])
    no_face = _enrol(client, headers, photos.blank())
    assert no_face.status_code == 422 and no_face.json["code"] == "identity.face_frame_rejected"
    assert _enrol(client, headers, photos.two_faces()).status_code == 422
    bad_id = _enrol(client, headers, photos.raw("obama_reference"), id_number=ID[:17] + "Y")
    assert bad_id.status_code == 422 and "id_number" in bad_id.json["errors"]
    assert _enrol(client, headers, photos.raw("obama_reference"), consented="false").status_code == 422
    assert _enrol(client, headers, b"%PDF-1.4 not an image").status_code == 422
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 0


def test_consent_text_then_consent_once(client, make, session):
    citizen = make.citizen()
    headers = make.headers(citizen)
    text = client.get("/api/v1/identity/face/consent", headers=headers).json
    assert text["consented"] is False and text["text_version"] == CONSENT_TEXT_VERSION and "人脸" in text["text"]
    response = client.post("/api/v1/identity/face/consent", headers=headers,
                           json={"text_version": CONSENT_TEXT_VERSION, "agree": True})
    assert response.status_code == 201
    again = client.post("/api/v1/identity/face/consent", headers=headers,
                        json={"text_version": CONSENT_TEXT_VERSION, "agree": True})
    assert again.status_code == 201
    assert session.scalar(select(func.count()).select_from(FaceConsent)) == 1
    assert has_consent(session, citizen.id)
    assert client.get("/api/v1/identity/face/consent", headers=headers).json["consented"] is True


def test_consent_must_be_explicit_and_to_the_current_text(client, make, session):
    citizen = make.citizen()
    headers = make.headers(citizen)
    refused = client.post("/api/v1/identity/face/consent", headers=headers,
                          json={"text_version": CONSENT_TEXT_VERSION, "agree": False})
    assert refused.status_code == 422
    old = client.post("/api/v1/identity/face/consent", headers=headers,
                      json={"text_version": "2020-01", "agree": True})
    assert old.status_code == 409 and old.json["current_version"] == CONSENT_TEXT_VERSION
    assert not has_consent(session, citizen.id)


def test_reference_template_is_not_the_photo(session, client, make, app):
    _enrol(client, make.headers(make.staff("clerk")), photos.raw("obama_reference"))
    row = session.scalar(select(FaceTemplate))
    plain = app.extensions["cipher"].decrypt_bytes(row.template_enc, TEMPLATE_CONTEXT)
    assert len(plain) == 128 * 8  # 128 float64, not a JPEG
    assert np.isfinite(np.frombuffer(plain, dtype="<f8")).all()


def test_enrolment_without_a_photo_is_422(client, make):
    response = client.post("/api/v1/identity/face/enrolments", headers=make.headers(make.staff("clerk")),
                           data={"id_number": ID, "citizen_consented": "true"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "photo" in response.json["errors"]


def test_multipart_bodies_are_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    body = spec["paths"]["/api/v1/identity/face/verifications"]["post"]["requestBody"]["content"]
    name = body["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
    assert set(spec["components"]["schemas"][name]["properties"]) == {"challenge_id", "frames"}


def test_withdrawing_consent_stops_processing_and_deletes_the_template(client, make, session, app, clock):
    from identity import real_name

    from .face_photos import enrol_cached

    citizen = make.citizen()
    headers = make.headers(citizen, channel="app")
    real_name.declare(session, app.extensions["cipher"], make.actor(citizen), clock, "张三", ID)
    enrol_cached(session, app.extensions["cipher"], ID, clock=clock)
    client.post("/api/v1/identity/face/consent", headers=headers,
                json={"text_version": CONSENT_TEXT_VERSION, "agree": True})
    assert client.delete("/api/v1/identity/face/consent", headers=headers).status_code == 204
    assert not has_consent(session, citizen.id)
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 0
    assert client.post("/api/v1/identity/face/challenges", headers=headers).status_code == 403
    # consenting again works (same text version)
    again = client.post("/api/v1/identity/face/consent", headers=headers,
                        json={"text_version": CONSENT_TEXT_VERSION, "agree": True})
    assert again.status_code == 201 and has_consent(session, citizen.id)
    actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.principal_id == citizen.id))]
    assert "identity.face_consent_withdraw" in actions and actions.count("identity.face_consent") == 2
