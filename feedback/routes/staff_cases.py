"""Staff handling of cases: the queue, dispatch, transfer, return, reply, extension."""

from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.pagination import PAGINATION_HEADER_DOC, paginate, pagination_header

from ..presenters import case_detail, case_list
from ..schemas import (CaseDispatchSchema, CaseExtendSchema, CaseReplySchema, CaseTransferSchema,
                       ExtensionDecisionSchema, FeedbackReasonSchema, StaffCaseDetailSchema, StaffCaseListArgsSchema,
                       StaffCaseSchema)
from ..services import handling
from ..services.access import audit_staff_read, load_visible_case
from . import rules, uow

blp = Blueprint("feedback_staff_cases", __name__, url_prefix="/api/v1/staff/cases", description="咨询投诉（工作人员）")

STAFF = ("clerk", "approver", "admin")


def _view(case):
    return case_detail(uow().session, current_actor(), case)


@blp.route("", methods=["GET"])
@require_roles(*STAFF)
@blp.arguments(StaffCaseListArgsSchema, location="query")
@blp.response(200, StaffCaseSchema(many=True), headers=PAGINATION_HEADER_DOC)
def staff_case_queue(args):
    """My department's cases (the dispatcher: cases to dispatch), nearest deadline first."""
    actor, session = current_actor(), uow().session
    stmt = handling.staff_queue(actor, args.get("state"), args.get("kind"), args.get("overdue"))
    rows, total = paginate(session, stmt, args["page"], args["page_size"])
    return case_list(session, actor, rows), 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/<int:case_id>", methods=["GET"])
@require_roles(*STAFF)
@blp.response(200, StaffCaseDetailSchema)
def staff_get_case(case_id):
    """One case with its timeline (a report's reporter stays hidden from departments; the read is audited)."""
    actor, work = current_actor(), uow()
    case = load_visible_case(work.session, actor, case_id)
    audit_staff_read(work.session, actor, case, "feedback.case_read", work.now())
    return _view(case)


@blp.route("/<int:case_id>/dispatch", methods=["POST"])
@require_roles("admin")
@blp.arguments(CaseDispatchSchema)
@blp.response(200, StaffCaseDetailSchema)
@blp.alt_response(409, description="诉求不在待派单状态")
def dispatch_case(body, case_id):
    """派单: send a case to a department (12345 dispatcher only)."""
    return _view(handling.dispatch(uow().session, current_actor(), uow().clock, case_id, body["department_code"],
                                   body.get("note")))


@blp.route("/<int:case_id>/transfer", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(CaseTransferSchema)
@blp.response(200, StaffCaseDetailSchema)
@blp.alt_response(409, description="诉求不由本部门办理")
def transfer_case(body, case_id):
    """转办: hand the case to another department, with a reason."""
    return _view(handling.transfer(uow().session, current_actor(), uow().clock, case_id, body["department_code"],
                                   body["reason"]))


@blp.route("/<int:case_id>/return", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(FeedbackReasonSchema)
@blp.response(200, StaffCaseDetailSchema)
@blp.alt_response(409, description="诉求不由本部门办理")
def return_case(body, case_id):
    """退单: not our department's business; back to the dispatcher."""
    return _view(handling.return_to_dispatcher(uow().session, current_actor(), uow().clock, case_id, body["reason"]))


@blp.route("/<int:case_id>/reply", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(CaseReplySchema)
@blp.response(200, StaffCaseDetailSchema)
@blp.alt_response(409, description="诉求不由本部门办理或已答复")
def reply_case(body, case_id):
    """答复: answer the citizen."""
    return _view(handling.reply(uow().session, current_actor(), uow().clock, case_id, body["text"]))


@blp.route("/<int:case_id>/extend", methods=["POST"])
@require_roles(*STAFF)
@blp.arguments(CaseExtendSchema)
@blp.response(200, StaffCaseDetailSchema)
@blp.alt_response(409, description="已超时限、已有待批申请或次数已用完")
def extend_case(body, case_id):
    """Ask for more working days, before the reply limit runs out."""
    return _view(handling.request_extension(uow().session, current_actor(), uow().clock, rules(), case_id, body["days"],
                                            body["reason"]))


@blp.route("/<int:case_id>/extend/decision", methods=["POST"])
@require_roles("admin")
@blp.arguments(ExtensionDecisionSchema)
@blp.response(200, StaffCaseDetailSchema)
@blp.alt_response(409, description="没有待审批的延期申请")
def decide_extension(body, case_id):
    """Approve or refuse a pending extension (12345 dispatcher only)."""
    return _view(handling.decide_extension(uow().session, current_actor(), uow().clock, case_id, body["approve"],
                                           body.get("note")))
