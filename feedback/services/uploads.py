"""Photo uploads: a citizen uploads a JPEG or PNG first, then refers to it by
id when submitting a case (so a retried case submission does not resend
megabytes over a weak network)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from ..errors import InvalidCase, UploadInvalid
from ..models import FeedbackUpload
from ..storage import ContentStore, sniff_image
from .access import own_records


def store_upload(session: Session, actor: Actor, clock, store: ContentStore, data: bytes,
                 max_bytes: int) -> FeedbackUpload:
    if not data:
        raise UploadInvalid("照片文件为空", errors={"file": ["文件为空"]})
    if len(data) > max_bytes:
        raise UploadInvalid(f"照片不能超过 {max_bytes // 1024} KiB", code="feedback.upload_too_large",
                            status=413, errors={"file": ["文件过大"]})
    content_type = sniff_image(data)
    if content_type is None:
        raise UploadInvalid("只接受 JPEG 或 PNG 格式的照片", code="feedback.upload_not_image",
                            errors={"file": ["不是 JPEG 或 PNG 图片"]})
    digest = store.put(data)  # the file may outlive a rolled-back row; same bytes, same name: harmless
    now = clock.now()
    upload = FeedbackUpload(citizen_id=actor.id, sha256=digest, content_type=content_type, size=len(data),
                            created_at=now)
    session.add(upload)
    session.flush()
    audit.record(session, actor, "feedback.upload_create", "feedback_upload", upload.id,
                 {"size": len(data), "content_type": content_type}, at=now)
    return upload


def own_uploads(session: Session, actor: Actor, upload_ids: list[int]) -> list[FeedbackUpload]:
    """The citizen's own uploads, in the order given; anything else is refused."""
    if not upload_ids:
        return []
    rows = {u.id: u for u in session.scalars(select(FeedbackUpload).where(FeedbackUpload.id.in_(upload_ids),
                                                                           own_records(actor, FeedbackUpload)))}
    missing = [i for i in upload_ids if i not in rows]
    if missing:
        raise InvalidCase(f"照片 {', '.join(map(str, missing))} 不存在或不属于您",
                             errors={"photos": ["照片不存在或不属于您"]})
    return [rows[i] for i in upload_ids]
