"""Citizen merge and erasure hooks for real-name and face data."""

from datetime import timedelta

from sqlalchemy import func, select

from identity import real_name
from identity.face.consent import CONSENT_TEXT_VERSION, give_consent, has_consent
from identity.face.models import FaceAttempt, FaceCheckBudget, FaceConsent, FaceTemplate
from identity.id_numbers import make_id_number
from identity.real_name_models import RealNameRecord
from mobile_api import hooks

from .conftest import OBAMA_ID
from .face_photos import enrol_cached


def test_erasure_removes_real_name_template_and_personal_parts_of_consent(face_citizen, session, clock):
    session.add(FaceCheckBudget(citizen_id=face_citizen.id, failures=2))
    session.commit()
    hooks.erase_citizen(session, face_citizen.id, clock.now())
    session.commit()
    assert real_name.real_name_summary(session, face_citizen.id)["status"] == "none"
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 0
    consent = session.scalar(select(FaceConsent).where(FaceConsent.citizen_id == face_citizen.id))
    assert consent.erased_at is not None and consent.ip is None and consent.channel is None
    assert not has_consent(session, face_citizen.id)
    assert session.get(FaceCheckBudget, face_citizen.id) is None


def test_merge_keeps_the_verified_real_name(app, make, session, clock):
    cipher = app.extensions["cipher"]
    verified, plain = make.citizen(), make.citizen()
    real_name.declare(session, cipher, make.actor(verified), clock, "王五", OBAMA_ID)
    real_name.mark_verified(session, verified.id, make.actor(verified), clock, "local")
    real_name.declare(session, cipher, make.actor(plain), clock, "王六", make_id_number("44190019880808008"))
    give_consent(session, make.actor(verified), clock, CONSENT_TEXT_VERSION)
    give_consent(session, make.actor(plain), clock, CONSENT_TEXT_VERSION)
    session.add(FaceAttempt(citizen_id=verified.id, method="local", outcome="pass", reasons=[],
                            attempted_at=clock.now()))
    session.add(FaceCheckBudget(citizen_id=verified.id, failures=3,
                                locked_until=clock.now() + timedelta(hours=1)))
    session.commit()

    hooks.merge_citizens(session, verified.id, plain.id)
    session.commit()
    summary = real_name.real_name_summary(session, plain.id)
    assert summary["status"] == "verified" and summary["name_masked"] == "王*"
    assert session.scalar(select(func.count()).select_from(RealNameRecord)) == 1
    assert session.scalar(select(func.count()).select_from(FaceConsent)) == 1 and has_consent(session, plain.id)
    assert session.scalar(select(FaceAttempt.citizen_id)) == plain.id
    budget = session.get(FaceCheckBudget, plain.id)
    assert budget.failures == 3 and budget.locked_until is not None  # a merge does not lift a lock


def test_merge_into_a_verified_record_drops_the_declared_one(app, make, session, clock):
    cipher = app.extensions["cipher"]
    source, target = make.citizen(), make.citizen()
    real_name.declare(session, cipher, make.actor(source), clock, "赵七", make_id_number("44190019770707007"))
    real_name.declare(session, cipher, make.actor(target), clock, "赵八", OBAMA_ID)
    real_name.mark_verified(session, target.id, make.actor(target), clock, "wechat")
    hooks.merge_citizens(session, source.id, target.id)
    session.commit()
    assert real_name.real_name_summary(session, target.id)["name_masked"] == "赵*"
    assert real_name.real_name_summary(session, source.id)["status"] == "none"
    assert session.scalar(select(func.count()).select_from(RealNameRecord)) == 1


def test_merge_when_only_the_source_has_face_data(app, make, session, clock, face_citizen):
    target = make.citizen()
    hooks.merge_citizens(session, face_citizen.id, target.id)
    session.commit()
    assert real_name.real_name_summary(session, target.id)["status"] == "declared"
    assert has_consent(session, target.id) and not has_consent(session, face_citizen.id)
    enrol_cached(session, app.extensions["cipher"], OBAMA_ID, clock=clock)  # template is per ID number: untouched
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 1
