"""The local face check through HTTP: challenge, frames, decision, step-up."""

import pytest
from sqlalchemy import func, select

from identity import real_name
from identity.face.models import FaceAttempt, FaceChallenge, FaceCheckBudget, FaceFrameDigest, RetainedFrame
from identity.stepup import verify_step_up
from mobile_api.audit import AuditEntry

from . import face_photos as photos


def _pass(face_api, variant=0):
    challenge = face_api.challenge()
    assert challenge.status_code == 201, challenge.json
    frames = photos.frames_for(challenge.json["actions"], variant)
    return challenge.json, face_api.submit(challenge.json["challenge_id"], frames)


def test_same_person_passes_gets_step_up_and_real_name_becomes_verified(face_api, face_citizen, session, app, make):
    challenge, response = _pass(face_api)
    assert len(challenge["actions"]) >= 2 and len(challenge["action_labels"]) == len(challenge["actions"])
    assert response.status_code == 200, response.json
    body = response.json
    assert body["passed"] is True and body["reasons"] == []
    assert 0.5 <= body["score"] <= 1 and body["threshold_score"] == 0.5
    assert body["step_up_expires_in"] == 300
    claims = verify_step_up(app.extensions["tokens"], make.actor(face_citizen, "app"), body["step_up_token"])
    assert claims["amr"] == "local"
    assert real_name.real_name_summary(session, face_citizen.id)["status"] == "verified"
    attempt = session.scalar(select(FaceAttempt).where(FaceAttempt.citizen_id == face_citizen.id))
    assert attempt.outcome == "pass"
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "identity.face_verify"))
    assert audit.details["outcome"] == "pass" and "frames" in audit.details
    # frames are discarded by default: nothing but keyed digests remains
    assert session.scalar(select(func.count()).select_from(RetainedFrame)) == 0
    assert session.scalar(select(func.count()).select_from(FaceFrameDigest)) == 3


def test_another_person_fails_with_a_reason_and_counts(face_api, session, face_citizen):
    # Biden's photo turns too little (yaw +0.076) to read as a turn: the
    # liveness fails before any encoding.
    challenge = face_api.challenge().json
    frames = [photos.frame("biden", mirror=(action == "turn_right"), variant=i)
              for i, action in enumerate((challenge["actions"] * 2)[:3])]
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.status_code == 200
    assert response.json["passed"] is False and response.json["step_up_token"] is None
    assert response.json["reasons"] and response.json["failures_left"] == 4
    assert session.get(FaceCheckBudget, face_citizen.id).failures == 1
    assert real_name.real_name_summary(session, face_citizen.id)["status"] == "declared"


def test_another_person_with_the_right_movements_fails_the_comparison(face_api, config_overrides, app):
    app.config["IDENTITY_FACE_TURN_YAW"] = 0.07  # Biden's photo turns only 0.076: let the liveness pass
    challenge = face_api.challenge().json
    frames = [photos.frame("biden", mirror=(a == "turn_right"), variant=i) for i, a in enumerate(challenge["actions"])]
    while len(frames) < 3:
        frames.append(photos.frame("biden", mirror=(challenge["actions"][-1] == "turn_right"), variant=len(frames) + 3))
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.json["passed"] is False
    assert response.json["reasons"] == ["与身份证底库照片比对不一致"]
    assert response.json["score"] < 0.5


def test_movements_out_of_order_fail(face_api):
    challenge = face_api.challenge().json
    opposite = {"turn_left": "turn_right", "turn_right": "turn_left"}
    frames = photos.frames_for([opposite[a] for a in challenge["actions"]])
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.json["passed"] is False
    assert "未按顺序完成要求的动作" in response.json["reasons"][0]


def test_a_used_challenge_is_refused(face_api, session):
    challenge, first = _pass(face_api)
    again = face_api.submit(challenge["challenge_id"], photos.frames_for(challenge["actions"], variant=5))
    assert again.status_code == 409 and again.json["code"] == "identity.face_challenge_used"
    assert session.scalar(select(func.count()).select_from(FaceAttempt)) == 1
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "identity.face_verify_refused")) is not None


def test_an_expired_challenge_is_refused(face_api, clock):
    challenge = face_api.challenge().json
    clock.advance(seconds=61)
    response = face_api.submit(challenge["challenge_id"], photos.frames_for(challenge["actions"]))
    assert response.status_code == 410 and response.json["code"] == "identity.face_challenge_expired"


def test_frames_of_an_earlier_submission_are_a_replay(face_api):
    challenge, first = _pass(face_api)
    assert first.json["passed"] is True
    second = face_api.challenge().json
    # the same poses as before, byte for byte, in the order the new challenge wants
    response = face_api.submit(second["challenge_id"], photos.frames_for(second["actions"]))
    assert response.json["passed"] is False
    assert "之前的核身相同" in response.json["reasons"][0]


def test_identical_frames_are_refused(face_api):
    challenge = face_api.challenge().json
    one = photos.frame("obama_turned")
    response = face_api.submit(challenge["challenge_id"], [one, one, one])
    assert response.json["passed"] is False and "完全相同" in response.json["reasons"][0]


def test_the_reference_photo_itself_is_refused(face_api):
    challenge = face_api.challenge().json
    frames = [photos.raw("obama_reference")] + photos.frames_for(challenge["actions"], size=(320, 400))[:2]
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.json["passed"] is False and "底库照片本身" in response.json["reasons"][0]


def test_a_re_encoded_copy_of_the_reference_is_refused(face_api):
    challenge = face_api.challenge().json
    copy = photos.jpeg(photos.photo("obama_reference"), quality=70)
    frames = photos.frames_for(challenge["actions"], size=(320, 400)) + [copy]
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.json["passed"] is False and "翻拍" in response.json["reasons"][0]


def test_no_face_is_a_422_naming_the_frame_and_not_a_failure(face_api, session, face_citizen):
    challenge = face_api.challenge().json
    frames = photos.frames_for(challenge["actions"])
    frames[1] = photos.blank()
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json["code"] == "identity.face_frame_rejected"
    assert response.json["errors"] == {"frames[1]": ["未检测到人脸"]}
    assert session.get(FaceCheckBudget, face_citizen.id).failures == 0
    assert session.scalar(select(FaceAttempt.outcome)) == "rejected"


def test_several_faces_is_a_422(face_api):
    challenge = face_api.challenge().json
    frames = [photos.two_faces(), photos.two_faces((800, 500)), photos.two_faces()]
    frames[1] = photos.jpeg(photos.posed("obama_turned", size=(800, 500)))
    frames[2] = photos.jpeg(photos.posed("obama_turned", True, size=(800, 500)))
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.status_code == 422
    assert "2 张人脸" in response.json["errors"]["frames[0]"][0]


def test_partial_dark_and_blurred_faces_are_422s(face_api):
    challenge = face_api.challenge().json
    partial = photos.jpeg(photos.photo("obama_partial").resize(photos.FRAME_SIZE))
    response = face_api.submit(challenge["challenge_id"], [partial, photos.dark(), photos.blurred()])
    assert response.status_code == 422
    assert response.json["errors"] == {"frames[0]": ["人脸不完整, 请将整张脸置于画面中"],
                                       "frames[1]": ["光线过暗"], "frames[2]": ["画面模糊, 请保持稳定"]}


def test_five_failures_lock_face_checks_for_a_day(face_api, clock, session, face_citizen, make):
    one = photos.frame("obama_turned")
    for left in (4, 3, 2, 1, 0):
        challenge = face_api.challenge().json
        response = face_api.submit(challenge["challenge_id"], [one, one, one])
        assert response.json["failures_left"] == left
    locked = face_api.challenge()
    assert locked.status_code == 423 and locked.json["code"] == "identity.face_locked"
    assert int(locked.headers["Retry-After"]) > 23 * 3600
    clock.advance(hours=24, seconds=1)
    face_api.headers = make.headers(face_citizen, channel="app")  # the old access token has expired meanwhile
    assert face_api.challenge().status_code == 201


def test_retention_keeps_frames_encrypted_until_purged(face_api, app, session, clock):
    from identity.face.retention import purge

    app.config["IDENTITY_FACE_RETAIN_FRAMES_SECONDS"] = 3600
    _, response = _pass(face_api)
    assert response.json["passed"] is True
    stored = session.scalars(select(RetainedFrame)).all()
    assert len(stored) == 3
    frame = stored[0]
    assert app.extensions["cipher"].decrypt_bytes(frame.frame_enc, "identity.face.frame")[:2] == b"\xff\xd8"
    assert purge(session, clock.now(), 90)["frames"] == 0
    clock.advance(hours=1)
    assert purge(session, clock.now(), 90)["frames"] == 3


def test_the_wechat_channel_does_not_use_local_endpoints(client, make, face_citizen):
    headers = make.headers(face_citizen, channel="miniprogram", **{"X-Client-Channel": "miniprogram"})
    response = client.post("/api/v1/identity/face/challenges", headers=headers)
    assert response.status_code == 409 and response.json["code"] == "identity.face_method_mismatch"


@pytest.mark.parametrize("header", [None, "app", "kiosk", "window"])
def test_the_method_follows_the_login_channel_not_a_header(client, make, face_citizen, header):
    """Issue 16, defect 9: a mini-program session that omitted (or forged)
    X-Client-Channel got the non-certified local check and a step-up token."""
    extra = {"X-Client-Channel": header} if header else {}
    headers = make.headers(face_citizen, channel="miniprogram", **extra)
    response = client.post("/api/v1/identity/face/challenges", headers=headers)
    assert response.status_code == 409 and response.json["code"] == "identity.face_method_mismatch"
    assert response.json["method"] == "wechat"


def test_an_app_session_gets_the_local_check_whatever_header_it_sends(client, make, face_citizen):
    headers = make.headers(face_citizen, channel="app", **{"X-Client-Channel": "miniprogram"})
    response = client.post("/api/v1/identity/face/challenges", headers=headers)
    assert response.status_code in (201, 403), response.json  # a challenge, or consent still missing
    assert response.json.get("code") != "identity.face_method_mismatch"


def test_a_token_without_a_login_channel_must_log_in_again(client, app, make, face_citizen):
    from identity.services import citizen_actor

    legacy = app.extensions["tokens"].issue_access(citizen_actor(face_citizen, None))
    response = client.post("/api/v1/identity/face/challenges", headers={"Authorization": f"Bearer {legacy}",
                                                                        "X-Client-Channel": "app"})
    assert response.status_code == 409 and response.json["code"] == "identity.face_method_mismatch"


def test_a_step_up_earned_in_an_app_session_does_not_serve_a_miniprogram_session(app, make, face_citizen):
    from identity.services import citizen_actor
    from identity.stepup import StepUpRequired, issue_step_up_token, verify_step_up

    tokens = app.extensions["tokens"]
    local = issue_step_up_token(tokens, citizen_actor(face_citizen, "app"), "local")
    assert verify_step_up(tokens, citizen_actor(face_citizen, "app"), local)["amr"] == "local"
    with pytest.raises(StepUpRequired):
        verify_step_up(tokens, citizen_actor(face_citizen, "miniprogram"), local)


def test_challenge_rows_are_single_use_in_the_database(face_api, session):
    challenge, response = _pass(face_api)
    row = session.get(FaceChallenge, challenge["challenge_id"])
    session.refresh(row)
    assert row.used_at is not None


def test_face_front_is_measured_in_a_full_check(face_api, app, session):
    """Among the test photos the only frontal one is Obama's reference; enrol
    another of his photos as the reference so the frontal one can be a frame."""
    from .conftest import OBAMA_ID
    from .face_photos import enrol_cached

    enrol_cached(session, app.extensions["cipher"], OBAMA_ID, name="obama_turned_other")
    app.config["IDENTITY_FACE_CHALLENGE_ACTIONS"] = ["turn_left", "turn_right", "face_front"]
    for _ in range(8):
        challenge = face_api.challenge().json
        if "face_front" in challenge["actions"]:
            break
    assert "face_front" in challenge["actions"]
    poses = {"turn_left": ("obama_turned", False), "turn_right": ("obama_turned", True),
             "face_front": ("obama_reference", False)}
    frames = [photos.frame(*poses[action], variant=i) for i, action in enumerate(challenge["actions"])]
    while len(frames) < 3:
        frames.append(photos.frame(*poses[challenge["actions"][-1]], variant=len(frames) + 2))
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.json["passed"] is True, response.json


def test_purge_command_deletes_challenges_a_day_after_expiry(app, session, clock, make):
    from datetime import timedelta

    citizen = make.citizen()
    for name, age in (("old", timedelta(days=2)), ("new", timedelta(hours=1))):
        session.add(FaceChallenge(id=name * 8, citizen_id=citizen.id, actions=["turn_left", "turn_right"],
                                  created_at=clock.now() - age, expires_at=clock.now() - age))
    session.commit()
    result = app.test_cli_runner().invoke(args=["identity-face", "purge"])
    assert result.exit_code == 0 and "'challenges': 1" in result.output, result.output
    session.expire_all()
    assert session.get(FaceChallenge, "new" * 8) is not None and session.get(FaceChallenge, "old" * 8) is None
