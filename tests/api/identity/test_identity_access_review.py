"""Access review: who may call identity's endpoints; ID numbers and face templates never leave unmasked."""

from __future__ import annotations

import io
import json

from sqlalchemy import select, text

from identity.id_numbers import make_id_number
from mobile_api.audit import AuditEntry

from . import face_photos as photos

API = "/api/v1"
ID_NUMBER = make_id_number("44190019850612002")


def test_no_token_is_401(client):
    for method, path in (("get", "/identity/real-name"), ("post", "/identity/real-name"),
                         ("get", "/identity/face/consent"), ("post", "/identity/face/consent"),
                         ("delete", "/identity/face/consent"), ("post", "/identity/face/enrolments"),
                         ("post", "/identity/face/challenges"), ("post", "/identity/face/verifications"),
                         ("get", "/auth/whoami"), ("post", "/auth/logout")):
        response = getattr(client, method)(API + path)
        assert response.status_code == 401, (method, path, response.status_code)


def test_citizen_endpoints_refuse_staff_and_kiosks(client, make):
    kiosk, _ = make.kiosk()
    for principal in (make.staff("clerk"), make.staff("approver", "renshe"), make.staff("admin"), kiosk):
        h = make.headers(principal)
        for method, path in (("get", "/identity/real-name"), ("get", "/identity/face/consent"),
                             ("post", "/identity/face/challenges"), ("delete", "/identity/face/consent")):
            response = getattr(client, method)(API + path, headers=h)
            assert response.status_code == 403, (principal, method, path)
        declared = client.post(f"{API}/identity/real-name", headers=h, json={"name": "张三", "id_number": ID_NUMBER})
        assert declared.status_code == 403


def test_only_kiosks_and_clerks_enrol_reference_photos(client, make):
    chip = photos.jpeg(photos.photo("obama_reference").resize((102, 126)))
    for principal in (make.citizen(), make.staff("approver", "renshe"), make.staff("admin")):
        response = client.post(f"{API}/identity/face/enrolments", headers=make.headers(principal),
                               data={"id_number": ID_NUMBER, "citizen_consented": "true",
                                     "photo": (io.BytesIO(chip), "chip.jpg")},
                               content_type="multipart/form-data")
        assert response.status_code == 403


def test_a_citizen_sees_only_their_own_real_name_and_only_masked(client, make, session):
    owner, other = make.citizen(), make.citizen()
    declared = client.post(f"{API}/identity/real-name", headers=make.headers(owner),
                           json={"name": "张三丰", "id_number": ID_NUMBER})
    assert declared.status_code in (200, 201), declared.json
    body = declared.get_data(as_text=True)
    assert ID_NUMBER not in body and "张三丰" not in body
    mine = client.get(f"{API}/identity/real-name", headers=make.headers(owner))
    assert ID_NUMBER not in mine.get_data(as_text=True) and "张三丰" not in mine.get_data(as_text=True)
    theirs = client.get(f"{API}/identity/real-name", headers=make.headers(other))
    assert ID_NUMBER[-4:] not in theirs.get_data(as_text=True) or theirs.status_code == 404
    # the same number cannot be declared by someone else (and the answer does not name the owner)
    taken = client.post(f"{API}/identity/real-name", headers=make.headers(other),
                        json={"name": "李四", "id_number": ID_NUMBER})
    assert taken.status_code == 409 and "citizen_id" not in taken.json and ID_NUMBER not in json.dumps(taken.json)
    # encrypted at rest: the plain number is nowhere in the table
    rows = session.execute(text("SELECT * FROM identity_real_names")).fetchall()
    assert rows
    for row in rows:
        assert ID_NUMBER not in " ".join(str(v) for v in row)


def test_audit_entries_hold_no_unmasked_id_number_or_template(client, make, session):
    kiosk, _ = make.kiosk()
    chip = photos.jpeg(photos.photo("obama_reference").resize((102, 126)))
    enrolled = client.post(f"{API}/identity/face/enrolments", headers=make.headers(kiosk),
                           data={"id_number": ID_NUMBER, "citizen_consented": "true",
                                 "photo": (io.BytesIO(chip), "chip.jpg")},
                           content_type="multipart/form-data")
    assert enrolled.status_code == 201, enrolled.json
    answer = enrolled.get_data(as_text=True)
    assert ID_NUMBER not in answer and "template" not in json.loads(answer)
    client.post(f"{API}/identity/real-name", headers=make.headers(make.citizen()),
                json={"name": "张三丰", "id_number": ID_NUMBER})
    entries = session.scalars(select(AuditEntry)).all()
    assert any(e.action == "identity.face_enrol" for e in entries)
    for entry in entries:
        blob = json.dumps(entry.details or {}, ensure_ascii=False) + (entry.object_id or "")
        assert ID_NUMBER not in blob and "张三丰" not in blob, entry.action
