import io

import pytest

from identity import real_name
from identity.face.consent import CONSENT_TEXT_VERSION, give_consent
from identity.id_numbers import make_id_number

from .face_photos import enrol_cached

OBAMA_ID = make_id_number("44190019610804001")


@pytest.fixture
def config_overrides():
    # The test photos hold only turned and frontal-reference poses; a frontal
    # frame other than the reference itself does not exist among them.
    return {"IDENTITY_FACE_CHALLENGE_ACTIONS": ["turn_left", "turn_right"]}


@pytest.fixture
def face_citizen(app, make, session, clock):
    """A citizen who declared a real name, consented, and whose ID number has
    a reference template (the Obama reference photo)."""
    citizen = make.citizen()
    actor = make.actor(citizen, "app")
    cipher = app.extensions["cipher"]
    real_name.declare(session, cipher, actor, clock, "奥巴马", OBAMA_ID)
    give_consent(session, actor, clock, CONSENT_TEXT_VERSION)
    enrol_cached(session, cipher, OBAMA_ID, clock=clock)
    return citizen


class FaceClient:
    def __init__(self, client, headers):
        self.client = client
        self.headers = headers

    def challenge(self):
        return self.client.post("/api/v1/identity/face/challenges", headers=self.headers)

    def submit(self, challenge_id, frames, names=None):
        files = [(io.BytesIO(data), (names or {}).get(i, f"frame{i}.jpg")) for i, data in enumerate(frames)]
        return self.client.post("/api/v1/identity/face/verifications", headers=self.headers,
                                data={"challenge_id": challenge_id, "frames": files},
                                content_type="multipart/form-data")


@pytest.fixture
def face_api(client, make, face_citizen):
    return FaceClient(client, make.headers(face_citizen, channel="app"))  # logged in through the app
