"""POST/GET /api/v1/identity/real-name and the contract functions."""

from datetime import date

from mobile_api.audit import AuditEntry
from sqlalchemy import select

from identity import real_name
from identity.id_numbers import make_id_number
from identity.real_name_models import RealNameRecord

ID_A = make_id_number("44190019900307123")  # born 1990-03-07, Dongguan
ID_B = make_id_number("44190019500101002")


def declare(client, make, citizen, name="张三", id_number=ID_A):
    return client.post("/api/v1/identity/real-name", json={"name": name, "id_number": id_number},
                       headers=make.headers(citizen))


def test_declare_then_summary_is_masked_and_number_encrypted(client, make, session):
    citizen = make.citizen()
    response = declare(client, make, citizen)
    assert response.status_code == 200, response.json
    assert response.json == {"status": "declared", "name_masked": "张*", "id_number_masked": "4419**********" + ID_A[-4:]}
    assert client.get("/api/v1/identity/real-name", headers=make.headers(citizen)).json["status"] == "declared"
    row = session.scalar(select(RealNameRecord).where(RealNameRecord.citizen_id == citizen.id))
    assert ID_A not in row.id_number_enc and "张三" not in row.name_enc
    assert real_name.citizen_birth_date(session, citizen.id) == date(1990, 3, 7)
    audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "identity.real_name_declare")).all()
    assert audits and all(ID_A not in str(a.details) for a in audits)


def test_summary_of_a_citizen_without_real_name(client, make, session):
    citizen = make.citizen()
    assert client.get("/api/v1/identity/real-name", headers=make.headers(citizen)).json == {
        "status": "none", "name_masked": None, "id_number_masked": None}
    assert real_name.citizen_birth_date(session, citizen.id) is None


def test_bad_check_digit_date_and_name_are_422_in_chinese(client, make, session):
    citizen = make.citizen()
    wrong_check = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
    response = declare(client, make, citizen, id_number=wrong_check)
    assert response.status_code == 422
    assert response.json["code"] == "identity.real_name_invalid"
    assert "校验位" in response.json["errors"]["id_number"][0]
    assert declare(client, make, citizen, id_number=make_id_number("44190019900230123")).status_code == 422
    assert declare(client, make, citizen, id_number="4419001990030712").status_code == 422
    response = declare(client, make, citizen, name="Zhang3")
    assert response.status_code == 422 and "name" in response.json["errors"]
    assert session.scalar(select(RealNameRecord)) is None


def test_an_id_number_belongs_to_one_citizen(client, make, session):
    first, second = make.citizen(), make.citizen()
    assert declare(client, make, first).status_code == 200
    response = declare(client, make, second, name="李四", id_number=ID_A.lower())
    assert response.status_code == 409
    assert response.json["code"] == "identity.id_number_taken"
    assert real_name.real_name_summary(session, second.id)["status"] == "none"


def test_a_declared_record_may_be_corrected_a_verified_one_not(client, make, session, clock):
    citizen = make.citizen()
    declare(client, make, citizen)
    response = declare(client, make, citizen, name="张三丰", id_number=ID_B)
    assert response.status_code == 200 and response.json["name_masked"] == "张*丰"
    actor = make.actor(citizen)
    real_name.mark_verified(session, citizen.id, actor, clock, "local")
    assert real_name.real_name_summary(session, citizen.id)["status"] == "verified"
    response = declare(client, make, citizen)
    assert response.status_code == 409 and response.json["code"] == "identity.real_name_verified"
    assert real_name.citizen_birth_date(session, citizen.id) == date(1950, 1, 1)


def test_verified_identity_only_when_verified_and_staff_reads_are_audited(client, make, session, clock, app):
    citizen = make.citizen()
    declare(client, make, citizen)
    cipher = app.extensions["cipher"]
    assert real_name.verified_identity(session, citizen.id, cipher=cipher) is None
    real_name.mark_verified(session, citizen.id, make.actor(citizen), clock, "wechat")
    clerk = make.staff("clerk")
    identity = real_name.verified_identity(session, citizen.id, make.actor(clerk), cipher=cipher, clock=clock)
    assert identity["name"] == "张三" and identity["id_number"] == ID_A
    reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "identity.real_name_read")).all()
    assert len(reads) == 1 and reads[0].principal_id == clerk.id
    with app.test_request_context():  # without an explicit cipher it uses the app's
        assert real_name.verified_identity(session, citizen.id)["id_number"] == ID_A


def test_mark_verified_without_a_declaration_is_refused(make, session, clock):
    import pytest

    from identity.face.errors import RealNameMissing

    citizen = make.citizen()
    with pytest.raises(RealNameMissing):
        real_name.mark_verified(session, citizen.id, make.actor(citizen), clock, "wechat")


def test_only_citizens_declare(client, make):
    clerk = make.staff("clerk")
    response = client.post("/api/v1/identity/real-name", json={"name": "张三", "id_number": ID_A},
                           headers=make.headers(clerk))
    assert response.status_code == 403
