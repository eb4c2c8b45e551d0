"""一件事 endpoints: the bundle's overall status, shared uploads, submission."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from identity.stepup import HEADER as STEP_UP_HEADER
from mobile_api.idempotency import idempotent

from ..errors import FileRejected
from ..schemas import MaterialFileSchema, ThemeApplicationSchema
from ..services import themes
from ..services.access import own_bundle
from . import common

blp = Blueprint("submissions_themes", __name__, url_prefix="/api/v1/theme-applications",
                description="网上申办：一件事")


@blp.route("/<int:bundle_id>", methods=["GET"])
@require_roles("citizen")
@blp.response(200, ThemeApplicationSchema)
def get_theme_application(bundle_id):
    """Overall status, merged materials and the member applications."""
    bundle = own_bundle(common.session(), current_actor(), bundle_id)
    return themes.present_theme(common.session(), bundle, common.clock().now())


@blp.route("/<int:bundle_id>/materials", methods=["POST"])
@require_roles("citizen")
@blp.response(201, MaterialFileSchema(many=True))
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["material_name", "file"],
    "properties": {"material_name": {"type": "string", "description": "合并材料清单中的材料名称", "example": "居民身份证"},
                   "file": {"type": "string", "format": "binary", "description": "一个 JPEG/PNG/PDF 文件"}}}}}})
def upload_theme_material(bundle_id):
    """Upload one file for a document of the merged list; every member needing it gets it."""
    request.max_content_length = current_app.config["SUBMISSIONS_MAX_FILE_BYTES"] + 64 * 1024
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    name = request.form.get("material_name") if upload is not None else None
    if upload is None or not name:
        raise FileRejected("请以 multipart/form-data 提交 material_name 和 file", code="submissions.upload_incomplete",
                           errors={"file" if upload is None else "material_name": ["缺少此字段"]})
    return themes.upload_theme_material(common.session(), current_actor(), common.clock(), common.storage(),
                                        common.limits(), bundle_id, name, upload.stream, upload.filename), 201


@blp.route("/<int:bundle_id>/submit", methods=["POST"])
@require_roles("citizen")
@idempotent
@blp.response(200, ThemeApplicationSchema)
def submit_theme_application(bundle_id):
    """Submit every member application at once (all or none)."""
    bundle = themes.submit_theme_application(
        common.session(), current_actor(), common.clock(), bundle_id, tokens=current_app.extensions["tokens"],
        step_up_token=request.headers.get(STEP_UP_HEADER), warning_ratio=common.warning_ratio())
    return themes.present_theme(common.session(), bundle, common.clock().now())
