"""Citizens' cases: options, photo uploads, submit, list, read, satisfaction, reopen."""

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from identity.auth import current_actor, require_roles
from mobile_api.idempotency import idempotent
from mobile_api.pagination import PAGINATION_HEADER_DOC, paginate, pagination_header
from mobile_api.ratelimit import rate_limit

from ..errors import UploadInvalid, UploadNotFound
from ..models import FeedbackUpload
from ..presenters import case_detail, case_list
from ..schemas import (CaseCreateSchema, CaseDetailSchema, CaseListArgsSchema, CaseOptionsSchema, CaseSchema,
                       FeedbackReasonSchema, SatisfactionSchema, FeedbackUploadSchema)
from ..services import cases
from ..services.access import audit_staff_read, load_visible_case
from ..services.uploads import store_upload
from ..taxonomy import CASE_KINDS, CATEGORIES, is_valid_id
from . import rules, store, uow

blp = Blueprint("feedback_cases", __name__, url_prefix="/api/v1", description="咨询投诉（市民）")


class FeedbackUploadFormSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": "JPEG 或 PNG 照片"})


@blp.route("/cases/options", methods=["GET"])
@blp.response(200, CaseOptionsSchema)
def case_options():
    """Case kinds, the two-level category taxonomy and reply limits (working days)."""
    return {"kinds": CASE_KINDS,
            "categories": [{"code": group, "name": name,
                            "children": [{"code": f"{group}.{leaf}", "name": leaf_name}
                                         for leaf, leaf_name in leaves.items()]}
                           for group, (name, leaves) in CATEGORIES.items()],
            "reply_days": rules().reply_days}


@blp.route("/feedback/uploads", methods=["POST"])
@require_roles("citizen")
@rate_limit("FEEDBACK_RATELIMIT_SUBMIT")
@blp.arguments(FeedbackUploadFormSchema, location="files")
@blp.response(201, FeedbackUploadSchema)
@blp.alt_response(413, description="照片过大")
@blp.alt_response(422, description="不是 JPEG 或 PNG")
def upload_photo(files):
    """Upload one photo for a case (JPEG or PNG, recognised by content)."""
    file = files["file"]
    limit = rules().upload_max_bytes
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadInvalid(f"照片不能超过 {limit // 1024} KiB", code="feedback.upload_too_large", status=413)
    work = uow()
    return store_upload(work.session, current_actor(), work.clock, store(), data, limit)


@blp.route("/cases", methods=["POST"])
@require_roles("citizen")
@idempotent
@rate_limit("FEEDBACK_RATELIMIT_SUBMIT")
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseDetailSchema)
@blp.alt_response(422, description="类型、分类、内容或照片不正确")
def submit_case(body):
    """Submit a consultation, complaint, suggestion, help request or report."""
    actor, work = current_actor(), uow()
    case = cases.submit_case(work.session, actor, work.clock, rules(), kind=body["kind"], category=body["category"],
                             text=body["text"], about_type=body.get("about_type"), about_ref=body.get("about_ref"),
                             photo_ids=body.get("photos"))
    return case_detail(work.session, actor, case)


@blp.route("/cases", methods=["GET"])
@require_roles("citizen")
@blp.arguments(CaseListArgsSchema, location="query")
@blp.response(200, CaseSchema(many=True), headers=PAGINATION_HEADER_DOC)
def list_cases(args):
    """My cases, newest first."""
    actor, session = current_actor(), uow().session
    rows, total = paginate(session, cases.list_own_cases(actor, args.get("state"), args.get("kind")),
                           args["page"], args["page_size"])
    return case_list(session, actor, rows), 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/cases/<int:case_id>", methods=["GET"])
@require_roles("citizen")
@blp.response(200, CaseDetailSchema)
def get_case(case_id):
    """One of my cases with its timeline."""
    actor, session = current_actor(), uow().session
    return case_detail(session, actor, load_visible_case(session, actor, case_id))


@blp.route("/cases/<int:case_id>/photos/<int:upload_id>", methods=["GET"])
@require_roles("citizen", "clerk", "approver", "admin")
@blp.response(200, description="照片内容（image/jpeg 或 image/png）")
def get_case_photo(case_id, upload_id):
    """A photo of a case, for its citizen and the staff who may see the case (staff reads are audited)."""
    actor, work = current_actor(), uow()
    case = load_visible_case(work.session, actor, case_id)
    upload = work.session.get(FeedbackUpload, upload_id) if is_valid_id(upload_id) else None
    linked = upload is not None and upload_id in cases.case_photo_upload_ids(work.session, [case.id])[case.id]
    data = store().read(upload.sha256) if linked else None
    if data is None:
        raise UploadNotFound("照片不存在")
    audit_staff_read(work.session, actor, case, "feedback.case_photo_read", work.now(), {"upload_id": upload_id})
    return Response(data, mimetype=upload.content_type, headers={"Cache-Control": "private, max-age=3600"})


@blp.route("/cases/<int:case_id>/satisfaction", methods=["POST"])
@require_roles("citizen")
@blp.arguments(SatisfactionSchema)
@blp.response(200, CaseDetailSchema)
@blp.alt_response(409, description="诉求尚未答复或已评价")
def give_satisfaction(body, case_id):
    """Say whether the reply satisfied me; 不满意 reopens the case once."""
    actor, work = current_actor(), uow()
    case = cases.give_satisfaction(work.session, actor, work.clock, rules(), case_id, body["satisfaction"],
                                   body.get("comment"))
    return case_detail(work.session, actor, case)


@blp.route("/cases/<int:case_id>/reopen", methods=["POST"])
@require_roles("citizen")
@blp.arguments(FeedbackReasonSchema)
@blp.response(200, CaseDetailSchema)
@blp.alt_response(409, description="诉求尚未答复，或已重新办理过一次")
def reopen_case(body, case_id):
    """Not satisfied with the reply: reopen the case (once)."""
    actor, work = current_actor(), uow()
    case = cases.reopen(work.session, actor, work.clock, rules(), case_id, body["reason"])
    return case_detail(work.session, actor, case)
