"""Reference templates: a kiosk with an ID-card reader (or a clerk at a
window) submits the chip photo and the ID number; we keep the encrypted
128-number encoding and a keyed digest of the photo, never the photo."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.crypto import PersonalDataCipher, mask_id_number
from mobile_api.errors import Unprocessable

from ..id_numbers import IdNumberError, normalise, parse_id_number
from ..real_name import id_number_index
from . import engine
from .config import FaceConfig
from .errors import FrameRejected
from .images import decode_image
from .models import FaceTemplate

TEMPLATE_CONTEXT = "identity.face.template"
PHOTO_DIGEST_PURPOSE = "face_photo"
FRAME_DIGEST_PURPOSE = "face_frame"
MIN_REFERENCE_FACE_PX = 40  # chip photos are 102 × 126 pixels


def keyed_digest(cipher: PersonalDataCipher, pixel_digest: str, purpose: str = FRAME_DIGEST_PURPOSE) -> str:
    # Frames and reference photos share one purpose so that they can be compared.
    return cipher.blind_index(pixel_digest, purpose)


def reference_face(rgb) -> engine.FaceFound:
    height, width = rgb.shape[:2]
    faces = engine.detect_faces(rgb, detect_max_side=max(width, height), upsample=1)
    if not faces and max(width, height) < 400:  # small chip photos: look closer
        faces = engine.detect_faces(rgb, detect_max_side=max(width, height), upsample=2)
    if len(faces) != 1:
        detail = "底库照片中未检测到人脸" if not faces else "底库照片中有多张人脸"
        raise FrameRejected(detail, errors={"photo": [detail]})
    face = faces[0]
    if engine.is_partial(face, width, height) or face.size < MIN_REFERENCE_FACE_PX:
        raise FrameRejected("底库照片中的人脸不完整或过小", errors={"photo": ["人脸不完整或过小"]})
    return face


def enrol(session: Session, cipher: PersonalDataCipher, actor: Actor, clock, cfg: FaceConfig, id_number: str,
          photo: bytes, citizen_consented: bool) -> dict:
    now = clock.now()
    if not citizen_consented:
        raise Unprocessable("须经本人同意后才能采集底库照片", code="identity.face_consent_required",
                            errors={"citizen_consented": ["须为 true"]})
    try:
        parse_id_number(id_number, now.date())
    except IdNumberError as exc:
        raise Unprocessable(str(exc), code="identity.real_name_invalid", errors={"id_number": [str(exc)]}) from exc
    id_number = normalise(id_number)
    image = decode_image(photo, "photo", cfg.max_image_bytes, cfg.max_image_side)
    face = reference_face(image.rgb)
    template = cipher.encrypt_bytes(engine.template_to_bytes(engine.encode(image.rgb, face)), TEMPLATE_CONTEXT)
    index = id_number_index(cipher, id_number)
    digest = keyed_digest(cipher, image.pixel_digest)
    replaced = _upsert(session, index, template, digest, actor, now)
    masked = mask_id_number(id_number)
    audit.record(session, actor, "identity.face_enrol", "face_template", masked,
                 {"id_number": masked, "replaced": replaced}, at=now)
    return {"id_number_masked": masked, "enrolled_at": now, "replaced": replaced}


def _upsert(session: Session, index: str, template: str, digest: str, actor: Actor, now: datetime) -> bool:
    """Insert, or replace the template of that ID number; the unique index
    settles two parallel enrolments."""
    values = dict(template_enc=template, photo_digest=digest, enrolled_by_kind=actor.kind,
                  enrolled_by_id=actor.id, enrolled_at=now)
    existing = session.scalar(select(FaceTemplate).where(FaceTemplate.id_number_index == index))
    if existing is None:
        try:
            with session.begin_nested():
                session.add(FaceTemplate(id_number_index=index, **values))
            return False
        except IntegrityError:
            existing = session.scalar(select(FaceTemplate).where(FaceTemplate.id_number_index == index))
    for name, value in values.items():
        setattr(existing, name, value)
    return True


def load_template(session: Session, cipher: PersonalDataCipher, index: str) -> tuple[FaceTemplate, object] | None:
    row = session.scalar(select(FaceTemplate).where(FaceTemplate.id_number_index == index))
    if row is None:
        return None
    return row, engine.template_from_bytes(cipher.decrypt_bytes(row.template_enc, TEMPLATE_CONTEXT))
