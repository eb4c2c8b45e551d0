"""Bad frames and bad challenges: clear 4xx, nothing stored, the challenge
still usable afterwards (so nothing was spent)."""

import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from identity.face.models import FaceAttempt, FaceCheckBudget

from . import face_photos as photos


def _nothing_stored(session, citizen_id):
    assert session.scalar(select(func.count()).select_from(FaceAttempt)) == 0
    budget = session.get(FaceCheckBudget, citizen_id)
    assert budget is None or budget.failures == 0


def _big_png(width, height) -> bytes:
    return photos.png(Image.fromarray(np.zeros((height, width, 3), dtype=np.uint8)))


@pytest.mark.parametrize("make_bad, status, code", [
    (lambda: b"not an image at all", 422, "identity.face_bad_image"),
    (lambda: b"GIF89a" + b"\x00" * 100, 422, "identity.face_bad_image"),
    (lambda: photos.frame("obama_turned")[:-3000], 422, "identity.face_bad_image"),
    (lambda: _big_png(4100, 8), 413, "identity.face_image_too_large"),
    (lambda: b"", 422, "identity.face_bad_image"),
], ids=["text", "gif", "truncated-jpeg", "over-4096px", "empty"])
def test_unusable_files_are_refused_before_anything_changes(face_api, session, face_citizen, make_bad, status,
                                                            code):
    challenge = face_api.challenge().json
    frames = photos.frames_for(challenge["actions"])
    frames[2] = make_bad()
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.status_code == status, response.json
    assert response.json["code"] == code
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "frames[2]" in response.json["errors"]
    _nothing_stored(session, face_citizen.id)
    # the challenge was not spent: the citizen can still use it
    ok = face_api.submit(challenge["challenge_id"], photos.frames_for(challenge["actions"]))
    assert ok.status_code == 200 and ok.json["passed"] is True


def test_an_image_over_the_byte_limit_is_413(face_api, app, session, face_citizen):
    app.config["IDENTITY_FACE_MAX_IMAGE_BYTES"] = 20_000
    challenge = face_api.challenge().json
    response = face_api.submit(challenge["challenge_id"], photos.frames_for(challenge["actions"]))
    assert response.status_code == 413 and response.json["code"] == "identity.face_image_too_large"
    _nothing_stored(session, face_citizen.id)


def test_frames_of_different_sizes_are_422(face_api, session, face_citizen):
    challenge = face_api.challenge().json
    frames = photos.frames_for(challenge["actions"])
    frames[1] = photos.frame("obama_turned", size=(320, 400))
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.status_code == 422 and response.json["code"] == "identity.face_frame_sizes"
    _nothing_stored(session, face_citizen.id)


@pytest.mark.parametrize("count", [0, 2, 7])
def test_too_few_or_too_many_frames_are_422(face_api, count):
    challenge = face_api.challenge().json
    frames = [photos.frame("obama_turned", variant=i) for i in range(count)]
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.status_code == 422 and response.json["code"] == "identity.face_frame_count"


def test_png_frames_are_accepted(face_api):
    challenge = face_api.challenge().json
    frames = [photos.png(Image.open(io.BytesIO(f))) for f in photos.frames_for(challenge["actions"])]
    response = face_api.submit(challenge["challenge_id"], frames)
    assert response.status_code == 200 and response.json["passed"] is True


def test_a_wrong_challenge_id_is_404(face_api):
    response = face_api.submit("0" * 32, photos.frames_for(["turn_left", "turn_right"]))
    assert response.status_code == 404 and response.json["code"] == "identity.face_challenge_not_found"


def test_another_citizens_challenge_is_404_and_stays_theirs(face_api, client, make, app, session, clock):
    from identity.face.consent import CONSENT_TEXT_VERSION, give_consent

    other = make.citizen()
    give_consent(session, make.actor(other), clock, CONSENT_TEXT_VERSION)
    theirs = client.post("/api/v1/identity/face/challenges", headers=make.headers(other, channel="app")).json
    response = face_api.submit(theirs["challenge_id"], photos.frames_for(theirs["actions"]))
    assert response.status_code == 404
    assert session.scalar(select(func.count()).select_from(FaceAttempt)) == 0


def test_missing_challenge_id_is_422(face_api):
    response = face_api.client.post("/api/v1/identity/face/verifications", headers=face_api.headers,
                                    data={"frames": [(io.BytesIO(b"x"), "a.jpg")]},
                                    content_type="multipart/form-data")
    assert response.status_code == 422 and "challenge_id" in response.json["errors"]


def test_json_instead_of_multipart_is_refused_cleanly(face_api):
    response = face_api.client.post("/api/v1/identity/face/verifications", headers=face_api.headers,
                                    json={"challenge_id": "x"})
    assert 400 <= response.status_code < 500


def test_without_consent_no_challenge_and_no_processing(client, make):
    citizen = make.citizen()
    response = client.post("/api/v1/identity/face/challenges", headers=make.headers(citizen, channel="app"))
    assert response.status_code == 403 and response.json["code"] == "identity.face_consent_required"


def test_without_a_reference_photo_the_check_cannot_start_processing(client, make, session, clock, app):
    from identity import real_name
    from identity.face.consent import CONSENT_TEXT_VERSION, give_consent
    from identity.id_numbers import make_id_number

    citizen = make.citizen()
    actor = make.actor(citizen)
    real_name.declare(session, app.extensions["cipher"], actor, clock, "李四", make_id_number("44190019800101003"))
    give_consent(session, actor, clock, CONSENT_TEXT_VERSION)
    headers = make.headers(citizen, channel="app")
    challenge = client.post("/api/v1/identity/face/challenges", headers=headers).json
    files = [(io.BytesIO(f), f"f{i}.jpg") for i, f in enumerate(photos.frames_for(challenge["actions"]))]
    response = client.post("/api/v1/identity/face/verifications", headers=headers,
                           data={"challenge_id": challenge["challenge_id"], "frames": files},
                           content_type="multipart/form-data")
    assert response.status_code == 409 and response.json["code"] == "identity.face_reference_missing"
