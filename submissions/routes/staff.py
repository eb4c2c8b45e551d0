"""Staff endpoints: the work queue, the actions of the workflow, material
reads (audited) and the 电子监察 list."""

from __future__ import annotations

from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api import audit
from mobile_api.pagination import PAGINATION_HEADER_DOC, pagination_header

from ..schemas import (ApplicationSchema, ApplicationSummarySchema, DeliverSchema, OpinionSchema,
                       RequiredOpinionSchema, StaffQueueArgsSchema, SupervisionArgsSchema, SupplementRequestSchema)
from ..services import files, present, queue, staff
from ..services.access import staff_application
from . import common

blp = Blueprint("submissions_staff", __name__, url_prefix="/api/v1", description="网上申办：受理、审批与电子监察")
STAFF = ("clerk", "approver", "admin")


def _answer(application):
    return present.detail(common.session(), application, common.clock().now(), for_staff=True)


@blp.route("/staff/applications", methods=["GET"])
@require_roles(*STAFF)
@blp.arguments(StaffQueueArgsSchema, location="query")
@blp.response(200, ApplicationSummarySchema(many=True), headers=PAGINATION_HEADER_DOC)
def work_queue(args):
    """My work queue, the nearest deadline first."""
    rows, total = queue.work_queue(common.session(), current_actor(), common.clock().now(),
                                   status=args.get("status"), department_code=args.get("department_code"),
                                   hall_id=args.get("hall_id"), flag=args.get("flag"), page=args["page"],
                                   page_size=args["page_size"])
    now = common.clock().now()
    return [present.summary(r, now) for r in rows], 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/staff/applications/<int:application_id>", methods=["GET"])
@require_roles(*STAFF)
@blp.response(200, ApplicationSchema)
def staff_get_application(application_id):
    """One application with its form, materials and timeline (the read is audited)."""
    session, actor = common.session(), current_actor()
    application = staff_application(session, actor, application_id)
    # Committed by the unit of work with the answer, before it goes out; a
    # read that fails disclosed nothing.
    audit.record(session, actor, "submissions.application_read", "application", application_id, None,
                 at=common.clock().now())
    return _answer(application)


@blp.route("/staff/applications/<int:application_id>/materials/<int:file_id>/content", methods=["GET"])
@require_roles(*STAFF)
@blp.response(200, description="文件内容")
def staff_download_material(application_id, file_id):
    """Read one material file of an application I handle (audited)."""
    return common.send_blob(files.staff_file(common.session(), current_actor(), common.clock(), application_id,
                                             file_id))


@blp.route("/staff/applications/<int:application_id>/accept", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(OpinionSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="状态不允许, 或已被他人处理")
def accept(body, application_id):
    """受理: the general desk accepts; the clocks start."""
    return _answer(staff.accept(common.session(), current_actor(), common.clock(), common.staff_context(),
                                application_id, body.get("opinion")))


@blp.route("/staff/applications/<int:application_id>/refuse", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(RequiredOpinionSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="状态不允许, 或已被他人处理")
def refuse(body, application_id):
    """不予受理, with the reason."""
    return _answer(staff.refuse(common.session(), current_actor(), common.clock(), common.staff_context(),
                                application_id, body["opinion"]))


@blp.route("/staff/applications/<int:application_id>/request-supplement", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(SupplementRequestSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="状态不允许, 或已被他人处理")
def request_supplement(body, application_id):
    """补正: one notice listing everything missing (一次性告知); the clocks pause."""
    return _answer(staff.request_supplement(common.session(), current_actor(), common.clock(),
                                            common.staff_context(), application_id, body["items"],
                                            body.get("opinion")))


@blp.route("/staff/applications/<int:application_id>/approve", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(OpinionSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="状态不允许, 或已被他人处理")
def approve(body, application_id):
    """审批通过 (approvers of the owning department)."""
    return _answer(staff.decide(common.session(), current_actor(), common.clock(), common.staff_context(),
                                application_id, "approve", body.get("opinion")))


@blp.route("/staff/applications/<int:application_id>/deny", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(RequiredOpinionSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="状态不允许, 或已被他人处理")
def deny(body, application_id):
    """不予许可, with the reason (approvers of the owning department)."""
    return _answer(staff.decide(common.session(), current_actor(), common.clock(), common.staff_context(),
                                application_id, "deny", body["opinion"]))


@blp.route("/staff/applications/<int:application_id>/complete", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(OpinionSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="状态不允许, 或已被他人处理")
def complete(body, application_id):
    """办结; issues the electronic certificate where the item yields one."""
    return _answer(staff.complete(common.session(), current_actor(), common.clock(), common.staff_context(),
                                  application_id, body.get("opinion")))


@blp.route("/staff/applications/<int:application_id>/deliver", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(DeliverSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="状态不允许, 或已被他人处理")
def deliver(body, application_id):
    """出件: at the window, by post or electronically."""
    return _answer(staff.deliver(common.session(), current_actor(), common.clock(), common.staff_context(),
                                 application_id, body.get("method"), body.get("tracking_number"),
                                 body.get("opinion")))


@blp.route("/supervision/applications", methods=["GET"])
@require_roles("admin", "approver")
@blp.arguments(SupervisionArgsSchema, location="query")
@blp.response(200, ApplicationSummarySchema(many=True), headers=PAGINATION_HEADER_DOC)
def supervision(args):
    """电子监察: applications with a warning (80% of the promised time used) or overdue."""
    rows, total = queue.supervision(common.session(), current_actor(), common.clock().now(),
                                    department_code=args.get("department_code"), level=args.get("level"),
                                    page=args["page"], page_size=args["page_size"])
    now = common.clock().now()
    return [present.summary(r, now) for r in rows], 200, pagination_header(total, args["page"], args["page_size"])
