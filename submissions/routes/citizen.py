"""Citizen endpoints: drafts, materials, submission, withdrawal, status."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from identity.stepup import HEADER as STEP_UP_HEADER
from mobile_api.idempotency import idempotent
from mobile_api.pagination import PAGINATION_HEADER_DOC, pagination_header

from ..errors import FileRejected
from ..schemas import (ApplicationCreateSchema, ApplicationSchema, ApplicationSummarySchema, MaterialFileSchema,
                       MyApplicationsArgsSchema, ThemeApplicationSchema, WithdrawSchema, ApplicationUpdateSchema)
from ..services import applications, files, present, themes
from . import common

blp = Blueprint("submissions", __name__, url_prefix="/api/v1", description="网上申办：申请、材料与进度")

_CREATE_DOC = {"responses": {"201": {"description": "事项申请 (Application) 或一件事申请 (ThemeApplication)",
                                     "content": {"application/json": {"schema": {"oneOf": [
                                         {"$ref": "#/components/schemas/Application"},
                                         {"$ref": "#/components/schemas/ThemeApplication"}]}}}}}}


@blp.route("/applications", methods=["POST"])
@require_roles("citizen")
@idempotent
@blp.arguments(ApplicationCreateSchema)
@blp.doc(**_CREATE_DOC)
@blp.alt_response(422, description="事项不存在、申请表有误或材料/送达方式不适用")
def create_application(body):
    """Create a draft application for an item, or for a theme (one per member item)."""
    actor, now = current_actor(), common.clock().now()
    if "theme_id" in body:
        bundle = themes.create_theme_application(
            common.session(), actor, common.clock(), body["theme_id"], body["form"], body["delivery_method"],
            body.get("postal_address"), common.commitment_version())
        data = ThemeApplicationSchema().dump(themes.present_theme(common.session(), bundle, now))
        return data, 201, {"Location": f"/api/v1/theme-applications/{bundle.id}"}
    application = applications.create_application(
        common.session(), actor, common.clock(), body["item_code"], body["form"], body["commitments"],
        body["delivery_method"], body.get("postal_address"), common.commitment_version())
    data = ApplicationSchema().dump(present.detail(common.session(), application, now))
    return data, 201, {"Location": f"/api/v1/applications/{application.id}"}


@blp.route("/applications", methods=["GET"])
@require_roles("citizen")
@blp.arguments(MyApplicationsArgsSchema, location="query")
@blp.response(200, ApplicationSummarySchema(many=True), headers=PAGINATION_HEADER_DOC)
def list_my_applications(args):
    """My applications, newest first."""
    rows, total = applications.list_my_applications(common.session(), current_actor(), args.get("status"),
                                                    args["page"], args["page_size"])
    now = common.clock().now()
    return [present.summary(row, now) for row in rows], 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/applications/<int:application_id>", methods=["GET"])
@require_roles("citizen")
@blp.response(200, ApplicationSchema)
@blp.alt_response(404, description="申请不存在")
def get_my_application(application_id):
    """Status, materials and the timeline of every step of my application."""
    application = applications.my_application(common.session(), current_actor(), application_id)
    return present.detail(common.session(), application, common.clock().now())


@blp.route("/applications/<int:application_id>", methods=["PUT"])
@require_roles("citizen")
@blp.arguments(ApplicationUpdateSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="申请已提交, 不能修改")
def update_application(body, application_id):
    """Edit a draft (or the form while a supplement is asked for)."""
    application = applications.update_application(common.session(), current_actor(), common.clock(),
                                                  application_id, body, common.commitment_version())
    return present.detail(common.session(), application, common.clock().now())


@blp.route("/applications/<int:application_id>/materials", methods=["POST"])
@require_roles("citizen")
@blp.response(201, MaterialFileSchema)
@blp.alt_response(413, description="文件过大")
@blp.alt_response(422, description="不是 JPEG/PNG/PDF、空文件或材料编号不对")
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["material_code", "file"],
    "properties": {"material_code": {"type": "string", "description": "材料编号（事项内唯一）", "example": "M01"},
                   "file": {"type": "string", "format": "binary", "description": "一个 JPEG/PNG/PDF 文件"}}}}}})
def upload_material(application_id):
    """Upload one file (JPEG, PNG or PDF) for one material of my application."""
    stream, filename, code = _multipart_file()
    row = files.upload_material(common.session(), current_actor(), common.clock(), common.storage(),
                                common.limits(), application_id, code, stream, filename)
    return row, 201, {"Location": f"/api/v1/applications/{application_id}/materials/{row.id}"}


def _multipart_file():
    # Allow a file of the configured size plus the multipart framing; werkzeug
    # spools a large body to a temporary file, so nothing big stays in memory.
    request.max_content_length = current_app.config["SUBMISSIONS_MAX_FILE_BYTES"] + 64 * 1024
    if request.mimetype != "multipart/form-data":
        raise FileRejected("请以 multipart/form-data 上传文件", code="submissions.multipart_required",
                           errors={"file": ["须以 multipart/form-data 上传"]})
    upload = request.files.get("file")
    code = request.form.get("material_code")
    errors = {}
    if upload is None:
        errors["file"] = ["缺少文件"]
    if not code:
        errors["material_code"] = ["缺少材料编号"]
    if errors:
        raise FileRejected("上传请求缺少字段", code="submissions.upload_incomplete", errors=errors)
    return upload.stream, upload.filename, code


@blp.route("/applications/<int:application_id>/materials/<int:file_id>", methods=["DELETE"])
@require_roles("citizen")
@blp.response(204)
@blp.alt_response(404, description="文件不存在或不属于此申请")
def delete_material(application_id, file_id):
    """Remove an uploaded file from my draft."""
    files.delete_material(common.session(), current_actor(), common.clock(), application_id, file_id)
    return None


@blp.route("/applications/<int:application_id>/materials/<int:file_id>/content", methods=["GET"])
@require_roles("citizen")
@blp.response(200, description="文件内容")
def download_my_material(application_id, file_id):
    """Download one of my uploaded files."""
    return common.send_blob(files.owner_file(common.session(), current_actor(), application_id, file_id))


@blp.route("/applications/<int:application_id>/submit", methods=["POST"])
@require_roles("citizen")
@idempotent
@blp.response(200, ApplicationSchema)
@blp.alt_response(403, description="须本人办理: 缺少或无效的人脸核身凭证")
@blp.alt_response(409, description="当前状态不能提交")
@blp.alt_response(422, description="申请表未填完或材料不齐全")
@blp.doc(parameters=[{"in": "header", "name": STEP_UP_HEADER, "required": False, "schema": {"type": "string"},
                      "description": "须本人办理的事项: 人脸核身后签发的短期凭证"}])
def submit_application(application_id):
    """Submit my draft, or my answer to a supplement request (Idempotency-Key recommended)."""
    application = applications.submit_application(
        common.session(), current_actor(), common.clock(), application_id,
        tokens=current_app.extensions["tokens"], step_up_token=request.headers.get(STEP_UP_HEADER),
        warning_ratio=common.warning_ratio())
    return present.detail(common.session(), application, common.clock().now())


@blp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@require_roles("citizen")
@blp.arguments(WithdrawSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="已受理, 不能撤回")
def withdraw_application(body, application_id):
    """Withdraw my application before it is accepted."""
    application = applications.withdraw_application(common.session(), current_actor(), common.clock(),
                                                    application_id, body.get("reason"))
    return present.detail(common.session(), application, common.clock().now())
