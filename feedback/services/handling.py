"""The staff side of a case: the dispatcher's queue and 派单, a department's
转办, 退单, 答复 and 延期, and the dispatcher's decision on an extension.

Every transition is one conditional UPDATE on the state (and the department
that holds the case), so when two staff act at once exactly one wins and the
other gets 409 with nothing changed.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mobile_api import audit, outbox
from mobile_api.actor import Actor

from ..deadlines import extend_due
from ..errors import CaseStateConflict, ExtensionRefused, InvalidCase
from ..models import FeedbackCase
from ..rules import Rules
from ..taxonomy import CASE_KINDS, DEPARTMENTS
from .access import is_dispatcher, load_visible_case, require_dispatcher, require_handling_department
from . import notices
from .timeline import add_event

MAX_NOTE = 2000


def _text(value: str | None, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > MAX_NOTE:
        raise InvalidCase(f"{what}不能为空且不超过 {MAX_NOTE} 字", errors={field: ["长度应为 1–2000 字"]})
    return value


def _department(code: str | None) -> str:
    if code not in DEPARTMENTS:
        raise InvalidCase(f"未知的部门编码 {code}", errors={"department_code": ["未知的部门"]})
    return code


def _transition(session: Session, case_id: int, from_states: tuple[str, ...], values: dict,
                department_code: str | None = None, extra=()) -> bool:
    stmt = update(FeedbackCase).where(FeedbackCase.id == case_id, FeedbackCase.state.in_(from_states), *extra)
    if department_code is not None:
        stmt = stmt.where(FeedbackCase.department_code == department_code)
    result = session.execute(stmt.values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _lost(message: str):
    # Nothing was changed by the UPDATE that matched no row; the unit of work
    # rolls back whatever else the request did.
    raise CaseStateConflict(message)


def staff_queue(actor: Actor, state: str | None = None, kind: str | None = None, overdue: bool | None = None):
    """The dispatcher sees every case (by default those waiting for dispatch);
    department staff see their department's cases. Nearest deadline first."""
    stmt = select(FeedbackCase)
    if is_dispatcher(actor):
        stmt = stmt.where(FeedbackCase.state.in_(("submitted", "returned")) if state is None
                          else FeedbackCase.state == state)
    else:
        department = require_handling_department(actor)
        stmt = stmt.where(FeedbackCase.department_code == department,
                          FeedbackCase.state == (state or "dispatched"))
    if kind:
        stmt = stmt.where(FeedbackCase.kind == kind)
    if overdue is True:
        stmt = stmt.where(FeedbackCase.overdue_at.is_not(None))
    elif overdue is False:
        stmt = stmt.where(FeedbackCase.overdue_at.is_(None))
    return stmt.order_by(FeedbackCase.reply_due_at, FeedbackCase.id)


def dispatch(session: Session, actor: Actor, clock, case_id: int, department_code: str,
             note: str | None = None) -> FeedbackCase:
    require_dispatcher(actor)
    department_code = _department(department_code)
    case = load_visible_case(session, actor, case_id)
    now = clock.now()
    if not _transition(session, case.id, ("submitted", "returned"),
                       {"state": "dispatched", "department_code": department_code, "dispatched_at": now}):
        _lost("只有待派单或被退回的诉求可以派单")
    add_event(session, case.id, "dispatched", actor, now, department_code=department_code, note=note)
    audit.record(session, actor, "feedback.case_dispatch", "feedback_case", case.id,
                 {"department": department_code}, at=now)
    case = load_visible_case(session, actor, case_id)
    notices.case_dispatched(session, case, department_code, now, "dispatch")
    return case


def transfer(session: Session, actor: Actor, clock, case_id: int, department_code: str, reason: str) -> FeedbackCase:
    """转办: hand the case to another department with a reason; the reply
    deadline keeps running (a transfer does not buy time)."""
    department = require_handling_department(actor)
    department_code = _department(department_code)
    reason = _text(reason, "reason", "转办理由")
    case = load_visible_case(session, actor, case_id)
    if department_code == department:
        raise InvalidCase("不能转办给本部门", errors={"department_code": ["不能是本部门"]})
    now = clock.now()
    if not _transition(session, case.id, ("dispatched",), {"department_code": department_code,
                                                           "extension_status": None},
                       department_code=department):
        _lost("只有本部门正在办理的诉求可以转办")
    add_event(session, case.id, "transferred", actor, now, department_code=department_code, note=reason)
    audit.record(session, actor, "feedback.case_transfer", "feedback_case", case.id,
                 {"from": department, "to": department_code}, at=now)
    session.refresh(case)
    notices.case_dispatched(session, case, department_code, now, "transfer")
    return case


def return_to_dispatcher(session: Session, actor: Actor, clock, case_id: int, reason: str) -> FeedbackCase:
    """退单: not this department's business; back to the dispatcher."""
    department = require_handling_department(actor)
    reason = _text(reason, "reason", "退单理由")
    case = load_visible_case(session, actor, case_id)
    now = clock.now()
    if not _transition(session, case.id, ("dispatched",), {"state": "returned", "department_code": None,
                                                           "extension_status": None},
                       department_code=department):
        _lost("只有本部门正在办理的诉求可以退单")
    add_event(session, case.id, "returned", actor, now, department_code=department, note=reason)
    audit.record(session, actor, "feedback.case_return", "feedback_case", case.id,
                 {"department": department}, at=now)
    session.refresh(case)
    return case


def reply(session: Session, actor: Actor, clock, case_id: int, text: str) -> FeedbackCase:
    department = require_handling_department(actor)
    text = _text(text, "text", "答复内容")
    case = load_visible_case(session, actor, case_id)
    now = clock.now()
    if not _transition(session, case.id, ("dispatched",),
                       {"state": "replied", "replied_at": now, "reply_text": text, "replied_by_staff_id": actor.id,
                        "replied_department_code": department, "extension_status": None},
                       department_code=department):
        _lost("只有本部门正在办理的诉求可以答复")
    add_event(session, case.id, "replied", actor, now, department_code=department)
    audit.record(session, actor, "feedback.case_reply", "feedback_case", case.id,
                 {"department": department, "late": now >= case.reply_due_at}, at=now)
    if case.citizen_id is not None:
        outbox.enqueue(session, outbox.CITIZEN_NOTIFY,
                       {"citizen_id": case.citizen_id, "event": "case_replied",
                        "data": {"case_id": case.id, "kind": case.kind, "replied_at": now.isoformat(),
                                 "title": f"您的{CASE_KINDS[case.kind]}", "status_text": "已答复", "summary": text}},
                       now, dedupe_key=f"feedback.case_replied:{case.id}:{case.reopen_count}")
    session.refresh(case)
    return case


def request_extension(session: Session, actor: Actor, clock, rules: Rules, case_id: int, days: int,
                      reason: str) -> FeedbackCase:
    """Asked for before the limit runs out; waits for the dispatcher's approval."""
    department = require_handling_department(actor)
    reason = _text(reason, "reason", "延期理由")
    if not isinstance(days, int) or not 1 <= days <= rules.max_extension_days:
        raise InvalidCase(f"延期天数应为 1–{rules.max_extension_days} 个工作日", errors={"days": ["超出允许范围"]})
    case = load_visible_case(session, actor, case_id)
    now = clock.now()
    ok = _transition(session, case.id, ("dispatched",),
                     {"extension_status": "pending", "extension_days": days, "extension_reason": reason},
                     department_code=department,
                     extra=(FeedbackCase.reply_due_at > now,
                            FeedbackCase.extension_count < rules.max_extensions,
                            or_(FeedbackCase.extension_status.is_(None), FeedbackCase.extension_status != "pending")))
    if not ok:
        # Nothing changed; read the case again to say why.
        case = load_visible_case(session, actor, case_id)
        if case.state != "dispatched" or case.department_code != department:
            raise CaseStateConflict("只有本部门正在办理的诉求可以申请延期")
        if case.reply_due_at <= now:
            raise ExtensionRefused("已超过答复时限，延期须在时限届满前申请", code="feedback.extension_too_late")
        if case.extension_status == "pending":
            raise ExtensionRefused("已有待审批的延期申请", code="feedback.extension_pending")
        raise ExtensionRefused("延期次数已用完", code="feedback.extension_limit")
    add_event(session, case.id, "extension_requested", actor, now, department_code=department,
              note=f"{days} 个工作日：{reason}")
    audit.record(session, actor, "feedback.case_extension_request", "feedback_case", case.id, {"days": days}, at=now)
    session.refresh(case)
    return case


def decide_extension(session: Session, actor: Actor, clock, case_id: int, approve: bool,
                     note: str | None = None) -> FeedbackCase:
    require_dispatcher(actor)
    case = load_visible_case(session, actor, case_id)
    if case.extension_status != "pending":
        raise CaseStateConflict("该诉求没有待审批的延期申请")
    now = clock.now()
    if approve:
        values = {"extension_status": "approved", "extension_count": case.extension_count + 1,
                  "reply_due_at": extend_due(case.reply_due_at, case.extension_days), "overdue_at": None}
    else:
        values = {"extension_status": "rejected"}
    if not _transition(session, case.id, ("dispatched",), values,
                       extra=(FeedbackCase.extension_status == "pending",
                              FeedbackCase.reply_due_at == case.reply_due_at)):
        _lost("延期申请状态已变化，请刷新后重试")
    add_event(session, case.id, "extension_approved" if approve else "extension_rejected", actor, now,
              department_code=case.department_code, note=note)
    audit.record(session, actor, "feedback.case_extension_decide", "feedback_case", case.id,
                 {"approved": approve, "days": case.extension_days}, at=now)
    return load_visible_case(session, actor, case_id)
