"""WeChat 人脸核身 against the stand-in: only queryVerifyInfo's answer counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from identity.models import Citizen
from identity.services import citizen_actor
from identity.stepup import verify_step_up
from wechat.models import FaceVerification

from .conftest import bearer

NAME, ID_NUMBER = "张三", "11010519491231002X"
START = "/api/v1/identity/face/wechat/verify-id"
RESULT = "/api/v1/identity/face/wechat/result"


def _citizen(session, answer) -> Citizen:
    return session.scalar(select(Citizen).where(Citizen.public_id == answer["citizen"]["public_id"]))


@pytest.fixture
def ready(login, session, app, clock):
    """A mini-program citizen who declared a real name and consented to face processing."""
    from identity import real_name
    from identity.face import consent

    answer = login("lily")
    actor = citizen_actor(_citizen(session, answer), "miniprogram")
    real_name.declare(session, app.extensions["cipher"], actor, clock, NAME, ID_NUMBER)
    consent.give_consent(session, actor, clock, consent.CONSENT_TEXT_VERSION)
    return answer


def _start(client, answer, **body):
    return client.post(START, json={"name": NAME, "id_number": ID_NUMBER, **body}, headers=bearer(answer))


def test_a_passed_check_verifies_the_real_name_and_issues_a_step_up_token(client, session, app, ready, standin):
    started = _start(client, ready)
    assert started.status_code == 201, started.json
    verify_id = started.json["verify_id"]
    assert standin.complete_face(verify_id, passed=True)
    result = client.post(RESULT, json={"verify_id": verify_id, "client_result": "success"}, headers=bearer(ready))
    assert result.status_code == 200, result.json
    assert result.json["passed"] is True and result.json["method"] == "wechat"
    actor = citizen_actor(_citizen(session, ready))
    claims = verify_step_up(app.extensions["tokens"], actor, result.json["step_up_token"])
    assert claims["amr"] == "wechat"
    me = client.get("/api/v1/me", headers=bearer(ready)).json
    assert me["real_name"]["status"] == "verified"
    # the session is over: asking again is a conflict, not a second token
    assert client.post(RESULT, json={"verify_id": verify_id}, headers=bearer(ready)).status_code == 409


def test_a_failed_check_issues_nothing(client, ready, standin):
    verify_id = _start(client, ready).json["verify_id"]
    standin.complete_face(verify_id, passed=False)
    result = client.post(RESULT, json={"verify_id": verify_id}, headers=bearer(ready))
    assert result.json["passed"] is False and result.json["step_up_token"] is None
    assert "不一致" in result.json["reasons"][0]
    assert client.get("/api/v1/me", headers=bearer(ready)).json["real_name"]["status"] == "declared"


def test_a_pass_the_client_claims_but_wechat_denies_is_a_failure(client, session, ready):
    verify_id = _start(client, ready).json["verify_id"]  # never completed in the mini-program
    result = client.post(RESULT, json={"verify_id": verify_id, "client_result": "success"}, headers=bearer(ready))
    assert result.status_code == 200
    assert result.json["passed"] is False and result.json["step_up_token"] is None
    assert session.scalar(select(FaceVerification.status)) == "failed"


def test_another_citizens_verify_id_is_not_found(client, ready, login, standin):
    verify_id = _start(client, ready).json["verify_id"]
    standin.complete_face(verify_id, passed=True)
    intruder = login("mallory")
    response = client.post(RESULT, json={"verify_id": verify_id}, headers=bearer(intruder))
    assert response.status_code == 404


@pytest.mark.parametrize("verify_id", ["\x00", "abc\x00def"])
def test_a_nul_in_the_verify_id_is_a_422(client, ready, verify_id):
    # Was a 500 on PostgreSQL, which refuses NUL in a text parameter.
    response = client.post(RESULT, json={"verify_id": verify_id}, headers=bearer(ready))
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["errors"]["verify_id"] == ["不能包含 NUL 字符"]


def test_an_expired_session_is_refused(client, ready, standin, clock, app, session):
    verify_id = _start(client, ready).json["verify_id"]
    standin.complete_face(verify_id, passed=True)
    clock.advance(seconds=app.config["WECHAT_FACE_VERIFY_TTL_SECONDS"] + 1)
    fresh = app.extensions["tokens"].issue_access(citizen_actor(_citizen(session, ready)))
    response = client.post(RESULT, json={"verify_id": verify_id}, headers={"Authorization": f"Bearer {fresh}"})
    assert response.status_code == 409 and response.json["code"] == "wechat.face_verification_closed"


def test_starting_needs_consent_a_matching_real_name_and_a_miniprogram_login(client, login, session, app, clock):
    from identity import real_name

    answer = login("nina")
    no_consent = _start(client, answer)
    assert no_consent.status_code == 403 and no_consent.json["code"] == "identity.face_consent_required"
    from identity.face import consent

    actor = citizen_actor(_citizen(session, answer), "miniprogram")
    consent.give_consent(session, actor, clock, consent.CONSENT_TEXT_VERSION)
    assert _start(client, answer).status_code == 409  # nothing declared yet
    real_name.declare(session, app.extensions["cipher"], actor, clock, NAME, ID_NUMBER)
    mismatch = _start(client, answer, id_number="110105194912310021")
    assert mismatch.status_code == 409 and mismatch.json["code"] == "identity.real_name_required"
    assert _start(client, answer, id_number="12345").status_code == 422
    assert session.scalar(select(FaceVerification.id)) is None


def test_wechat_errors_while_starting(client, ready, standin, session):
    standin.fail_next("getverifyid", -1)
    busy = _start(client, ready)
    assert busy.status_code == 503 and "Retry-After" in busy.headers
    assert session.scalar(select(FaceVerification.id)) is None
