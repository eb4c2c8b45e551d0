"""Frames built from the test photos in tests/fixtures/faces (see its README):
a mirrored photo turns the head the other way, so action sequences are made
of real faces. Encodings of the reference are computed once per session."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

FACES = Path(__file__).resolve().parents[2] / "fixtures" / "faces"
FRAME_SIZE = (400, 500)

# (photo, mirrored) pairs whose yaw reads as each action
POSES = {
    "turn_left": [("obama_turned", False), ("obama_turned_other", True)],
    "turn_right": [("obama_turned", True), ("obama_turned_other", False)],
}


@lru_cache(maxsize=None)
def photo(name: str) -> Image.Image:
    with Image.open(FACES / f"{name}.jpg") as image:
        return image.convert("RGB")


def raw(name: str) -> bytes:
    return (FACES / f"{name}.jpg").read_bytes()


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def posed(name: str, mirror: bool = False, variant: int = 0, size=FRAME_SIZE) -> Image.Image:
    """`variant` crops a few pixels off, so each variant has different pixels."""
    image = photo(name)
    if mirror:
        image = ImageOps.mirror(image)
    if variant:
        image = image.crop((variant, variant, image.width - variant, image.height - variant))
    return image.resize(size, Image.LANCZOS)


def frame(name: str, mirror: bool = False, variant: int = 0, size=FRAME_SIZE) -> bytes:
    return jpeg(posed(name, mirror, variant, size))


def frames_for(actions: list[str], variant: int = 0, size=FRAME_SIZE) -> list[bytes]:
    """One frame per action, padded to three, every frame different."""
    used = {"turn_left": 0, "turn_right": 0}
    frames = []
    for action in actions:
        name, mirror = POSES[action][used[action] % 2]
        frames.append(frame(name, mirror, variant + 2 * (used[action] // 2), size))
        used[action] += 1
    while len(frames) < 3:
        last = actions[-1]
        name, mirror = POSES[last][used[last] % 2]
        frames.append(frame(name, mirror, variant + 1 + used[last], size))
        used[last] += 1
    return frames


def blank(size=FRAME_SIZE) -> bytes:
    gradient = np.tile(np.linspace(40, 200, size[0], dtype=np.uint8), (size[1], 1))
    return png(Image.fromarray(np.stack([gradient] * 3, axis=-1)))


def two_faces(size=(800, 500)) -> bytes:
    canvas = Image.new("RGB", size, (128, 128, 128))
    canvas.paste(photo("obama_turned").resize((400, 500)), (0, 0))
    canvas.paste(photo("biden").resize((400, 500)), (400, 0))
    return jpeg(canvas)


def dark(name: str = "obama_turned") -> bytes:
    return jpeg(posed(name).point(lambda v: int(v * 0.15)))


def blurred(name: str = "obama_turned") -> bytes:
    return jpeg(posed(name).filter(ImageFilter.GaussianBlur(5)))


@lru_cache(maxsize=None)
def encoding_of(name: str) -> np.ndarray:
    from identity.face import engine

    rgb = np.asarray(photo(name))
    (face,) = engine.detect_faces(rgb, 640)
    return engine.encode(rgb, face)


def enrol_cached(session, cipher, id_number: str, name: str = "obama_reference", actor=None, clock=None):
    """Store a reference template as the enrolment service would, with the
    encoding computed once per test session."""
    from datetime import datetime, timezone

    from identity.face import engine
    from identity.face.enrolment import TEMPLATE_CONTEXT, _upsert, keyed_digest
    from identity.face.images import decode_image
    from identity.real_name import id_number_index
    from mobile_api.actor import SYSTEM

    pixels = decode_image(raw(name), "photo", 10 << 20, 4096).pixel_digest
    template = cipher.encrypt_bytes(engine.template_to_bytes(encoding_of(name)), TEMPLATE_CONTEXT)
    now = clock.now() if clock else datetime.now(timezone.utc)
    _upsert(session, id_number_index(cipher, id_number), template, keyed_digest(cipher, pixels), actor or SYSTEM, now)
    session.commit()
