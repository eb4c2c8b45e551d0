"""Material files: upload (streamed), delete, and reads by the owner or by the
staff handling the application (every staff read is audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.uow import commit_point

from ..errors import FileNotFound, FileTooLarge, MaterialUnknown, NotEditable
from ..models import Application, ApplicationFile
from ..storage import FileStorage
from .access import own_application, staff_application
from .applications import EDITABLE_STATUSES, draft_durability, total_file_bytes
from .catalogue import item_of


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_application_bytes: int
    max_files: int
    chunk_bytes: int


def _check_editable(application: Application) -> None:
    if application.status not in EDITABLE_STATUSES:
        raise NotEditable("申请已提交，不能再更改材料；如被要求补正，可在补正时上传")


def _lock_editable(session: Session, application_id: int, now) -> None:
    """Touch the row only while it is editable. On PostgreSQL this holds the row
    lock until commit, so uploads of one application and its submission are
    serialised and the limits below are checked against a settled total."""
    result = session.execute(update(Application)
                             .where(Application.id == application_id, Application.status.in_(EDITABLE_STATUSES))
                             .values(updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise NotEditable("申请已提交，不能再更改材料")


def upload_material(session: Session, actor: Actor, clock, storage: FileStorage, limits: UploadLimits,
                    application_id: int, material_code: str, stream: BinaryIO,
                    filename: str | None) -> ApplicationFile:
    application = own_application(session, actor, application_id)
    _check_editable(application)
    item = item_of(session, application)
    material = next((m for m in item.materials if m.code == material_code), None)
    if material is None:
        raise MaterialUnknown(f"事项“{item.name}”没有编号为 {material_code} 的材料",
                              errors={"material_code": ["该事项没有这项材料"]})
    # End the read transaction before copying bytes: no lock is held while
    # the file goes to disk. Nothing is written yet.
    commit_point(session, "no transaction stays open while an upload is copied to the store")
    blob = storage.put_stream(stream, limits.max_file_bytes, limits.chunk_bytes)
    now = clock.now()
    _lock_editable(session, application_id, now)
    count, total = total_file_bytes(session, application_id)
    if count >= limits.max_files:
        raise FileTooLarge(f"一件申请最多上传 {limits.max_files} 个文件", code="submissions.too_many_files",
                           errors={"file": ["文件数已达上限"]})
    if total + blob.size > limits.max_application_bytes:
        raise FileTooLarge(f"一件申请的材料合计不能超过 {limits.max_application_bytes // (1024 * 1024)} MB、"
                           f"{limits.max_files} 个文件", code="submissions.application_too_large",
                           errors={"file": ["超过申请的材料总量上限"]})
    row = ApplicationFile(application_id=application_id, material_code=material_code, sha256=blob.sha256,
                          content_type=blob.content_type, size=blob.size,
                          original_name=(filename or "")[:128] or None, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "submissions.material_upload", "application", application_id,
                 {"file_id": row.id, "material_code": material_code, "size": blob.size,
                  "content_type": blob.content_type, "sha256": blob.sha256}, at=now)
    draft_durability(session)
    return row


def _file_of(session: Session, application_id: int, file_id: int) -> ApplicationFile:
    row = session.get(ApplicationFile, file_id)
    if row is None or row.application_id != application_id:
        raise FileNotFound(f"申请 {application_id} 下没有文件 {file_id}")
    return row


def delete_material(session: Session, actor: Actor, clock, application_id: int, file_id: int) -> None:
    application = own_application(session, actor, application_id)
    _check_editable(application)
    row = _file_of(session, application_id, file_id)
    now = clock.now()
    _lock_editable(session, application_id, now)
    session.delete(row)
    audit.record(session, actor, "submissions.material_delete", "application", application_id,
                 {"file_id": file_id, "material_code": row.material_code}, at=now)
    draft_durability(session)


def owner_file(session: Session, actor: Actor, application_id: int, file_id: int) -> ApplicationFile:
    own_application(session, actor, application_id)
    return _file_of(session, application_id, file_id)


def staff_file(session: Session, actor: Actor, clock, application_id: int, file_id: int) -> ApplicationFile:
    """A staff read of a citizen's material, audited. The unit of work commits
    the entry when the view answers, which is before the body streams: no
    byte goes out unaudited, and a refused or failed read disclosed nothing."""
    staff_application(session, actor, application_id)
    row = _file_of(session, application_id, file_id)
    audit.record(session, actor, "submissions.material_read", "application", application_id,
                 {"file_id": file_id, "material_code": row.material_code}, at=clock.now())
    return row
