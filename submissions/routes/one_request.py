"""`POST /api/v1/applications/submit`: create and submit an application with
its materials in one multipart request (what a phone sends when the citizen
presses 提交). The stepwise endpoints stay for drafts filled over time and for
re-sending one photo on a weak network."""

from __future__ import annotations

import hashlib
import json
from functools import wraps

import marshmallow as ma
from flask import current_app, g, request

from identity.auth import current_actor, require_roles
from identity.stepup import HEADER as STEP_UP_HEADER
from mobile_api import idempotency as idem
from mobile_api.text_guard import refuse_unstorable
from mobile_api.uow import current_uow

from ..errors import FileRejected, FormInvalid
from ..schemas import ApplicationSchema, ApplicationSubmitOnceSchema
from ..services import one_request, present
from . import common
from .citizen import blp

FILE_PREFIX = "files."
APPLICATION_PART = "application"
_MULTIPART_SLACK = 64 * 1024  # framing and the form part, per request and per file


class _Guard:
    """Takes the idempotency lock once the files' hashes are known (the
    fingerprint is made from them, so the bytes are hashed only once)."""

    def __init__(self, scope: str):
        self.scope, self.fingerprint, self.locked = scope, None, False

    def __call__(self, sha256s: list[str]) -> None:
        self.fingerprint = _fingerprint(sha256s)
        redis = current_app.extensions["redis"]
        idem.acquire(redis, self.scope, self.fingerprint)
        # Released when the unit of work ends; a refusal is recorded too.
        idem.guard(redis, current_uow().clock, self.scope, self.fingerprint)
        self.locked = True


def _fingerprint(sha256s: list[str]) -> str:
    """The request as the platform's `@idempotent` sees it, except that each
    file counts by its SHA-256 (`@idempotent` would read the whole body into
    memory to hash it)."""
    digest = hashlib.sha256(f"POST {request.path}\x00".encode())
    digest.update(_application_text().encode() + b"\x00")
    for (field, _), sha256 in zip(_file_parts(), sha256s):
        digest.update(f"{field}={sha256}\x00".encode())
    return digest.hexdigest()


def _file_parts():
    return [(field, upload) for field, upload in request.files.items(multi=True) if field != APPLICATION_PART]


def _application_text() -> str:
    """The JSON of the `application` part: a plain field, or a part with a
    file name (what a browser's FormData sends for a Blob of application/json)."""
    text = request.form.get(APPLICATION_PART)
    if text is None and APPLICATION_PART in request.files:
        stream = request.files[APPLICATION_PART].stream
        stream.seek(0)  # the fingerprint reads it too
        # Bounded by max_content_length like every other part.
        text = stream.read().decode("utf-8", errors="replace")
    return text or ""


def idempotent_files(view):
    """`Idempotency-Key` for a multipart write: same key and same request
    (fields and file contents) replays the first answer, another request is a
    422, a retry while the first runs is a 409; records are the platform's."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        idem.check_key(key)
        db, clock = current_app.extensions["db"], current_uow().clock
        scope = idem.scope_for(key)
        record = idem.find_record(db, clock, scope)
        if record is not None:
            # A retry: nothing is checked or stored again, the bytes are only hashed.
            _multipart()
            return idem.replay_or_refuse(record, _fingerprint([_sha256(u.stream) for _, u in _file_parts()]))
        guard = g.submissions_idempotency = _Guard(scope)
        # A refusal is an answer like a success: the unit of work rolls the
        # refused change back and records the answer (idem.guard).
        response = idem.answer_of(view, args, kwargs)
        if guard.fingerprint:
            idem.finish(clock, scope, guard.fingerprint, response)
        return response

    wrapper._idempotent = True  # read by mobile_api.contract to document the header and its answers
    return wrapper


def _sha256(stream, chunk: int = 256 * 1024) -> str:
    digest = hashlib.sha256()
    while block := stream.read(chunk):
        digest.update(block)
    return digest.hexdigest()


def _multipart():
    """(body, incoming files) of the request; 4xx naming the part that is wrong."""
    config = current_app.config
    # werkzeug spools each part over 500 KB to a temporary file: nothing big stays in memory.
    request.max_content_length = (config["SUBMISSIONS_MAX_APPLICATION_BYTES"]
                                  + _MULTIPART_SLACK * (config["SUBMISSIONS_MAX_FILES_PER_APPLICATION"] + 1))
    if request.mimetype != "multipart/form-data":
        raise FileRejected("请以 multipart/form-data 提交申请和材料", code="submissions.multipart_required",
                           errors={"application": ["须以 multipart/form-data 提交"]})
    try:
        decoded = json.loads(_application_text() or "null") or {}
        # JSON inside a form field escapes the request guard: "\ud800" is ASCII until decoded here.
        refuse_unstorable(decoded, "application")
        body = ApplicationSubmitOnceSchema().load(decoded)
    except json.JSONDecodeError:
        raise FormInvalid("application 不是有效的 JSON", errors={"application": ["须为 JSON 对象"]}) from None
    except ma.ValidationError as error:
        raise FormInvalid("申请内容有误", errors={"application": error.normalized_messages()}) from None
    incoming, wrong = [], []
    for field, upload in _file_parts():
        code = field[len(FILE_PREFIX):] if field.startswith(FILE_PREFIX) else ""
        if not code or len(code) > 16:
            wrong.append(field)
        incoming.append(one_request.IncomingFile(code, upload.stream, upload.filename))
    if wrong:
        raise FileRejected("文件字段须命名为 files.<材料编号>", code="submissions.upload_incomplete",
                           errors={f: ["须命名为 files.<材料编号>"] for f in wrong})
    return body, incoming


# The `application` part is typed (an object sent as application/json), so a
# generated client builds it from its model and serialises it itself.
_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {
        "type": "object", "required": ["application"],
        "properties": {"application": ApplicationSubmitOnceSchema},
        "additionalProperties": {"type": "string", "format": "binary",
                                 "description": "files.<材料编号>：一个 JPEG/PNG/PDF 文件（同一材料多个文件可重复此字段）"}},
    "encoding": {"application": {"contentType": "application/json"}}}}},
    "parameters": [{"in": "header", "name": STEP_UP_HEADER, "required": False, "schema": {"type": "string"},
                    "description": "须本人办理的事项: 人脸核身后签发的短期凭证"}]}


@blp.route("/applications/submit", methods=["POST"])
@require_roles("citizen")
@idempotent_files
@blp.response(201, ApplicationSchema)
@blp.alt_response(403, description="须本人办理: 缺少或无效的人脸核身凭证")
@blp.alt_response(413, description="文件或材料总量过大")
@blp.alt_response(422, description="申请表、材料或文件有误；什么都不保存")
@blp.doc(**_DOC)
def submit_with_materials(**_):
    """Create and submit an application with its materials in one request (Idempotency-Key recommended)."""
    body, incoming = _multipart()
    application = one_request.create_and_submit(
        common.session(), current_actor(), common.clock(), common.storage(), common.limits(), body, incoming,
        common.commitment_version(), tokens=current_app.extensions["tokens"],
        step_up_token=request.headers.get(STEP_UP_HEADER), warning_ratio=common.warning_ratio(),
        on_staged=g.get("submissions_idempotency"))
    return (present.detail(common.session(), application, common.clock().now()), 201,
            {"Location": f"/api/v1/applications/{application.id}"})
