"""`flask demo face-check`: the local 人脸核身 from end to end, at any hour,
with shipped public-domain photos (demo_photos/README.md).

A fresh demo citizen logs in through the WeChat stand-in (app channel,
which uses the local verifier), declares a real name, consents, has a
reference photo enrolled, asks for a challenge and answers it with frames
composed from the photos in the challenge's order; the answer of the real
verifier is printed. Development only: through the app's own HTTP routes
(in-process), so it needs no server running.
"""

from __future__ import annotations

import io
import secrets
from functools import lru_cache
from pathlib import Path

import click
from flask import current_app
from PIL import Image, ImageOps

from mobile_api.actor import SYSTEM
from mobile_api.uow import unit_of_work

from ..id_numbers import make_id_number
from .config import FaceConfig
from .enrolment import enrol

PHOTOS = Path(__file__).resolve().parent / "demo_photos"
FRAME_SIZE = (400, 500)
# (photo, mirrored) whose measured yaw reads as each action
POSES = {"turn_left": ("turned", False), "turn_right": ("turned", True), "face_front": ("frontal", False)}
HEADERS = {"X-Client-Channel": "app"}


@lru_cache(maxsize=None)
def _photo(name: str) -> Image.Image:
    with Image.open(PHOTOS / f"{name}.jpg") as image:
        return image.convert("RGB")


def frame(name: str, mirror: bool, variant: int) -> bytes:
    """A camera frame: each `variant` crops a few more pixels, so no two
    frames of one answer have the same pixels (a replay would)."""
    image = ImageOps.mirror(_photo(name)) if mirror else _photo(name)
    if variant:
        image = image.crop((variant, variant, image.width - variant, image.height - variant))
    buffer = io.BytesIO()
    image.resize(FRAME_SIZE, Image.LANCZOS).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def frames_for(actions: list[str]) -> list[bytes]:
    """One frame per action in order, padded to three with the last action."""
    poses = [POSES[action] for action in actions]
    while len(poses) < 3:
        poses.append(poses[-1])
    return [frame(name, mirror, variant * 2) for variant, (name, mirror) in enumerate(poses)]


def _fail(step: str, response) -> None:
    body = response.get_json(silent=True) or {}
    raise click.ClickException(f"{step}: HTTP {response.status_code} {body.get('code', '')} {body.get('detail', '')}")


def run_demo(app) -> dict:
    client = app.test_client()
    login = client.post("/api/v1/auth/wechat/app", json={"code": f"face-demo-{secrets.token_hex(4)}:1"},
                        headers=HEADERS)
    if login.status_code != 200:
        _fail("login", login)
    auth = {**HEADERS, "Authorization": f"Bearer {login.json['access_token']}"}
    for _ in range(5):  # a random number may already be someone's: draw again
        id_number = make_id_number(f"44190019610804{secrets.randbelow(1000):03d}")
        declared = client.post("/api/v1/identity/real-name", json={"name": "奥巴马", "id_number": id_number},
                               headers=auth)
        if declared.status_code != 409:
            break
    if declared.status_code >= 300:
        _fail("real name", declared)
    consent = client.get("/api/v1/identity/face/consent", headers=auth)
    agreed = client.post("/api/v1/identity/face/consent", json={"text_version": consent.json["text_version"],
                                                                "agree": True}, headers=auth)
    if agreed.status_code >= 300:
        _fail("consent", agreed)
    # The reference is enrolled as a kiosk or clerk would, from the "chip photo".
    with unit_of_work(app, SYSTEM, name="demo face enrolment") as work:
        enrol(work.session, app.extensions["cipher"], SYSTEM, work.clock, FaceConfig.from_app_config(app.config),
              id_number, (PHOTOS / "reference.jpg").read_bytes(), True)
    challenge = client.post("/api/v1/identity/face/challenges", headers=auth)
    if challenge.status_code >= 300:
        _fail("challenge", challenge)
    actions = challenge.json["actions"]
    data = {"challenge_id": challenge.json["challenge_id"],
            "frames": [(io.BytesIO(raw), f"frame{i}.jpg", "image/jpeg") for i, raw in enumerate(frames_for(actions))]}
    verified = client.post("/api/v1/identity/face/verifications", data=data, headers=auth,
                           content_type="multipart/form-data")
    if verified.status_code >= 300:
        _fail("verification", verified)
    return {"actions": actions, **verified.json}


def register(demo_cli) -> None:
    @demo_cli.command("face-check")
    def face_check():
        """A local face check with the shipped demo photos, from login to step-up token."""
        if current_app.config["APP_CONFIG"].ENV_NAME == "production":
            raise click.ClickException("the face-check demo is for development only")
        result = run_demo(current_app)
        click.echo(f"challenge: {' → '.join(result['actions'])}")
        click.echo(f"passed: {result['passed']}  score: {result['score']}  threshold: {result['threshold_score']}")
        for reason in result.get("reasons", []):
            click.echo(f"  {reason}")
        if result.get("step_up_token"):
            click.echo(f"step-up token issued, valid {result['step_up_expires_in']} s")
