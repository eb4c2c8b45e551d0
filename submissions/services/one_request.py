"""Create and submit an application in one request, materials included.

What a phone does when the citizen presses 提交 with the form filled and the
photos taken: one request instead of draft + one upload per file + submit, so
one durable commit instead of six and one authentication instead of five.

Order matters for "bad input changes nothing": everything that needs no bytes
(item, form, commitments, delivery, material codes, step-up) is checked first;
then each file is copied, hashed and recognised in one pass into a staging
file outside the store; only when every file and the limits pass are the rows
written and the blobs moved into the store; the request's unit of work then
commits it all at once (synchronously: it is a submission), together with the
idempotency record of the answer. On any failure the staged files are deleted
and the unit of work rolls back, so neither the database nor the store holds
anything of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.errors import DomainError
from mobile_api.uow import commit_point

from identity.stepup import verify_step_up

from ..errors import FileTooLarge, FormInvalid, MaterialsIncomplete, MaterialUnknown
from ..forms import check_form, normalise_form
from ..models import ApplicationFile
from ..storage import FileStorage, StagedBlob
from .applications import check_commitments, check_delivery, new_application, submit_checked
from .catalogue import published_item
from .files import UploadLimits
from .materials import citizen_identity, prefill_from_identity, provision


@dataclass(frozen=True)
class IncomingFile:
    material_code: str
    stream: BinaryIO
    filename: str | None


def stage_files(storage: FileStorage, limits: UploadLimits, incoming: list[IncomingFile]) -> list[StagedBlob]:
    """Copy, hash and check every file once; all staged or none (then raise,
    naming the file's field). Limits are the same as for separate uploads."""
    if len(incoming) > limits.max_files:
        raise FileTooLarge(f"一件申请最多上传 {limits.max_files} 个文件", code="submissions.too_many_files",
                           errors={"files": ["文件数超过上限"]})
    staged: list[StagedBlob] = []
    total = 0
    try:
        for one in incoming:
            field = f"files.{one.material_code}"
            try:
                blob = storage.stage(one.stream, limits.max_file_bytes, limits.chunk_bytes)
            except DomainError as error:
                error.errors = {field: (error.errors or {}).get("file", [error.detail])}
                raise
            staged.append(blob)
            total += blob.blob.size
            if total > limits.max_application_bytes:
                raise FileTooLarge(f"一件申请的材料合计不能超过 {limits.max_application_bytes // (1024 * 1024)} MB",
                                   code="submissions.application_too_large",
                                   errors={field: ["超过申请的材料总量上限"]})
    except BaseException:
        for blob in staged:
            storage.discard(blob)
        raise
    return staged


def check_before_bytes(session: Session, actor: Actor, now, body: dict, codes: list[str], text_version: str,
                       *, tokens, step_up_token: str | None):
    """Everything that can be refused before a byte is read: (item, form,
    commitments, identity). Materials are checked against the codes sent."""
    item = published_item(session, body["item_code"])
    identity = citizen_identity(session, actor.id)
    form = prefill_from_identity(item.form_fields, normalise_form(body["form"]), identity)
    errors = check_form(item.form_fields, form, complete=True)
    if errors:
        raise FormInvalid(f"申请表有 {len(errors)} 处未填或填写有误", errors=errors)
    signed = check_commitments(item, body["commitments"], now, text_version)
    check_delivery(item, body["delivery_method"], body.get("postal_address"))
    known = {m.code for m in item.materials}
    unknown = sorted({c for c in codes if c not in known})
    if unknown:
        raise MaterialUnknown(f"事项“{item.name}”没有编号为 {'、'.join(unknown)} 的材料",
                              errors={f"files.{c}": ["该事项没有这项材料"] for c in unknown})
    _, missing = provision(item, set(codes), signed, identity)
    if missing:
        raise MaterialsIncomplete(f"还缺少 {len(missing)} 项必需材料", errors=missing)
    if item.in_person_required:
        verify_step_up(tokens, actor, step_up_token)
    return item, form, identity


def create_and_submit(session: Session, actor: Actor, clock, storage: FileStorage, limits: UploadLimits,
                      body: dict, incoming: list[IncomingFile], text_version: str, *, tokens,
                      step_up_token: str | None, warning_ratio: float, on_staged=None):
    """The application, submitted, with its files; one transaction (the
    caller's unit of work commits it)."""
    now = clock.now()
    codes = [one.material_code for one in incoming]
    item, form, identity = check_before_bytes(session, actor, now, body, codes, text_version,
                                              tokens=tokens, step_up_token=step_up_token)
    # No transaction stays open while bytes are copied (only reads so far).
    commit_point(session, "no transaction stays open while the files are copied and hashed")
    staged = stage_files(storage, limits, incoming)
    try:
        if on_staged is not None:  # the caller's idempotency check, fed with the hashes just made
            on_staged([blob.blob.sha256 for blob in staged])
        application = new_application(session, actor, now, item, form, body["commitments"],
                                      body["delivery_method"], body.get("postal_address"), text_version)
        for one, blob in zip(incoming, staged):
            row = ApplicationFile(application_id=application.id, material_code=one.material_code,
                                  sha256=blob.blob.sha256, content_type=blob.blob.content_type,
                                  size=blob.blob.size, original_name=(one.filename or "")[:128] or None,
                                  created_at=now)
            session.add(row)
            session.flush()
            audit.record(session, actor, "submissions.material_upload", "application", application.id,
                         {"file_id": row.id, "material_code": one.material_code, "size": blob.blob.size,
                          "content_type": blob.blob.content_type, "sha256": blob.blob.sha256}, at=now)
        waivers, _ = provision(item, set(codes), application.commitments, identity)
        submit_checked(session, application, actor, now, waivers, warning_ratio)
        session.flush()  # constraint failures surface here, while the staged files can still go
        # Bytes in the store before the rows that name them are committed; if
        # the commit fails, an unreferenced blob is harmless (content-addressed).
        for blob in staged:
            storage.keep(blob)
    except BaseException:
        for blob in staged:
            storage.discard(blob)
        raise
    return application
