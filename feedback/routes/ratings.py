"""好差评: rate a served event, my ratings, public statistics; staff ratings,
statistics of their department and rectifications."""

from flask import current_app
from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.idempotency import idempotent
from mobile_api.pagination import PAGINATION_HEADER_DOC, PageArgsSchema, paginate, pagination_header
from mobile_api.ratelimit import rate_limit

from ..presenters import (rating_list, rating_view, rectification_contact_view, rectification_list,
                          rectification_view)
from ..schemas import (AppealDecisionSchema, FeedbackReasonSchema, RatingCreateSchema, RatingOptionsSchema,
                       RatingSchema, RatingStatsArgsSchema, RatingStatsSchema, RectificationCallbackSchema,
                       RectificationContactSchema, RectificationListArgsSchema, RectificationRatingSchema,
                       RectificationResolveSchema, RectificationSchema, StaffRatingListArgsSchema,
                       StaffRatingSchema, StaffRatingStatsArgsSchema, StaffRatingStatsSchema)
from ..services import ratings, rectifications
from ..services.access import stats_department
from ..services.stats import PUBLIC_GROUPS, PUBLIC_GROUPS_WITH_STAFF, STAFF_GROUPS, compute_stats
from ..taxonomy import BAD_REASONS, LEVELS
from . import rules, uow

blp = Blueprint("feedback_ratings", __name__, url_prefix="/api/v1", description="好差评")

STAFF = ("clerk", "approver", "admin")


@blp.route("/ratings/options", methods=["GET"])
@blp.response(200, RatingOptionsSchema)
def rating_options():
    """The five levels, the reasons a bad rating chooses from, and the rating period."""
    return {"levels": {code: name for code, (_, name) in LEVELS.items()}, "bad_reasons": BAD_REASONS,
            "period_days": rules().rating_period_days}


@blp.route("/ratings", methods=["POST"])
@require_roles("citizen", "kiosk")
@idempotent
@rate_limit("FEEDBACK_RATELIMIT_SUBMIT")
@blp.arguments(RatingCreateSchema)
@blp.response(201, RatingSchema)
@blp.alt_response(404, description="服务不存在或不是您的")
@blp.alt_response(409, description="已评价过（一事一评）")
@blp.alt_response(422, description="服务未办结、超过评价期限或内容不正确")
def create_rating(body):
    """Rate a completed ticket, application or case (citizen, or the rating device at the window)."""
    work = uow()
    rating = ratings.rate(work.session, current_actor(), work.clock, rules(), event_kind=body["event_kind"],
                          event_id=body["event_id"], level=body["level"], reason=body.get("reason"),
                          comment=body.get("comment"))
    return rating_view(work.session, rating)


@blp.route("/ratings", methods=["GET"])
@require_roles("citizen")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, RatingSchema(many=True), headers=PAGINATION_HEADER_DOC)
def my_ratings(args):
    """My ratings, newest first."""
    session = uow().session
    rows, total = paginate(session, ratings.own_ratings(current_actor()), args["page"], args["page_size"])
    return rating_list(session, rows), 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/ratings/<int:rating_id>/rectification/rating", methods=["POST"])
@require_roles("citizen")
@blp.arguments(RectificationRatingSchema)
@blp.response(200, RectificationSchema)
@blp.alt_response(409, description="整改尚未完成或已评价")
def rate_rectification(body, rating_id):
    """Rate how my bad rating was handled."""
    work = uow()
    rect = rectifications.rate_rectification(work.session, current_actor(), work.clock, rating_id, body["level"])
    return rectification_view(work.session, rect)


@blp.route("/ratings/stats", methods=["GET"])
@blp.arguments(RatingStatsArgsSchema, location="query")
@blp.response(200, RatingStatsSchema)
def public_stats(args):
    """Public statistics by department, hall, window or item; no personal data."""
    groups = PUBLIC_GROUPS_WITH_STAFF if rules().public_staff_names else PUBLIC_GROUPS
    return compute_stats(uow().session, period=args["period"], year=args["year"], month=args.get("month"),
                         quarter=args.get("quarter"), group_by=args["group_by"], allowed_groups=groups)


@blp.route("/staff/ratings/stats", methods=["GET"])
@require_roles(*STAFF)
@blp.arguments(StaffRatingStatsArgsSchema, location="query")
@blp.response(200, StaffRatingStatsSchema)
def staff_stats(args):
    """My department's detail (also by staff member, with bad-rating reasons); a platform admin sees all."""
    department = stats_department(current_actor())
    result = compute_stats(uow().session, period=args["period"], year=args["year"], month=args.get("month"),
                           quarter=args.get("quarter"), group_by=args["group_by"], department_code=department,
                           allowed_groups=STAFF_GROUPS, with_reasons=True)
    result["department_code"] = department
    return result


@blp.route("/staff/ratings", methods=["GET"])
@require_roles(*STAFF)
@blp.arguments(StaffRatingListArgsSchema, location="query")
@blp.response(200, StaffRatingSchema(many=True), headers=PAGINATION_HEADER_DOC)
def staff_ratings(args):
    """My department's ratings, without who gave them (nor the event, which would tell)."""
    level = LEVELS[args["level"]][0] if args.get("level") else None
    session = uow().session
    rows, total = paginate(session, ratings.department_ratings(current_actor(), level), args["page"],
                           args["page_size"])
    return rating_list(session, rows), 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/staff/rectifications", methods=["GET"])
@require_roles(*STAFF)
@blp.arguments(RectificationListArgsSchema, location="query")
@blp.response(200, RectificationSchema(many=True), headers=PAGINATION_HEADER_DOC)
def rectification_queue(args):
    """Bad ratings my department must call back and rectify, nearest deadline first."""
    session = uow().session
    rows, total = paginate(session, rectifications.queue(current_actor(), args.get("state"), args.get("overdue")),
                           args["page"], args["page_size"])
    return rectification_list(session, rows), 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/staff/rectifications/<int:rect_id>", methods=["GET"])
@require_roles(*STAFF)
@blp.response(200, RectificationContactSchema)
def get_rectification(rect_id):
    """One rectification, with whom to call back (the read is audited)."""
    actor, work = current_actor(), uow()
    rect = rectifications.load_for_staff(work.session, actor, rect_id)
    citizen_id, phone = rectifications.contact_for_callback(work.session, actor, work.clock, rect,
                                                            current_app.extensions.get("cipher"))
    return dict(rectification_contact_view(work.session, rect, citizen_id), contact_phone=phone)


@blp.route("/staff/rectifications/<int:rect_id>/callback", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(RectificationCallbackSchema)
@blp.response(200, RectificationSchema)
@blp.alt_response(409, description="已回访")
def callback(body, rect_id):
    """Record the call back to the citizen."""
    work = uow()
    rect = rectifications.call_back(work.session, current_actor(), work.clock, rect_id, body["note"])
    return rectification_view(work.session, rect)


@blp.route("/staff/rectifications/<int:rect_id>/resolve", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(RectificationResolveSchema)
@blp.response(200, RectificationSchema)
@blp.alt_response(409, description="尚未回访或已办结")
def resolve(body, rect_id):
    """Close the rectification as rectified or explained."""
    work = uow()
    rect = rectifications.resolve(work.session, current_actor(), work.clock, rect_id, body["outcome"], body["note"])
    return rectification_view(work.session, rect)


@blp.route("/staff/rectifications/<int:rect_id>/appeal", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(FeedbackReasonSchema)
@blp.response(200, RectificationSchema)
@blp.alt_response(409, description="当前状态不能申诉")
def appeal(body, rect_id):
    """Appeal the rating as malicious; an admin decides."""
    work = uow()
    rect = rectifications.appeal(work.session, current_actor(), work.clock, rect_id, body["reason"])
    return rectification_view(work.session, rect)


@blp.route("/staff/rectifications/<int:rect_id>/appeal/decision", methods=["POST"])
@require_roles("admin")
@blp.arguments(AppealDecisionSchema)
@blp.response(200, RectificationSchema)
@blp.alt_response(409, description="没有待裁定的申诉")
def decide_appeal(body, rect_id):
    """Uphold (the rating leaves the statistics) or refuse an appeal (platform admin)."""
    work = uow()
    rect = rectifications.decide_appeal(work.session, current_actor(), work.clock, rect_id, body["upheld"],
                                        body.get("note"))
    return rectification_view(work.session, rect)
