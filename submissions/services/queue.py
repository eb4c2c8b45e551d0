"""Lists for staff: the work queue (sorted by deadline) and the 电子监察 view
(warnings and overdue applications per department)."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mobile_api.actor import Actor
from mobile_api.pagination import paginate

from ..deadlines import RUNNING_STATUSES, local_date
from ..errors import StaffForbidden
from ..models import Application
from .access import STAFF_VISIBLE, queue_scope, supervision_scope

# What each role works on by default.
CLERK_STATUSES = ("submitted", "completed")  # 受理 at the desk, 出件 at the window
APPROVER_STATUSES = ("under_review", "supplement_requested", "approved", "denied")


def _deadline_order(stmt):
    # Applications without a clock yet (waiting at the desk) after those with
    # one, oldest submission first; portable NULLS LAST.
    return stmt.order_by(Application.promised_due_date.is_(None), Application.promised_due_date,
                         Application.submitted_at, Application.id)


def work_queue(session: Session, actor: Actor, now, *, status: str | None, department_code: str | None,
               hall_id: int | None, flag: str | None, page: int, page_size: int):
    desk, department, any_status = queue_scope(actor, department_code)
    stmt = select(Application).where(STAFF_VISIBLE)
    statuses = CLERK_STATUSES if desk else APPROVER_STATUSES
    if department:
        stmt = stmt.where(Application.department_code == department)
    if desk and hall_id is not None:
        stmt = stmt.where(or_(Application.accepted_hall_id == hall_id, Application.accepted_hall_id.is_(None)))
    if status:
        if status not in statuses and not any_status:
            raise StaffForbidden("该状态的申请不在您的工作范围内")
        stmt = stmt.where(Application.status == status)
    else:
        stmt = stmt.where(Application.status.in_(statuses))
    if flag:
        stmt = stmt.where(flag_condition(flag, local_date(now)))
    return paginate(session, _deadline_order(stmt), page, page_size)


def flag_condition(flag: str, today):
    running = and_(Application.status.in_(RUNNING_STATUSES), Application.paused_since.is_(None))
    if flag == "overdue":
        return and_(running, Application.promised_due_date < today)
    # warning: at or past the warning day, not yet overdue; instant items have no yellow card
    return and_(running, Application.promised_days > 0, Application.warning_date <= today,
                Application.promised_due_date >= today)


def supervision(session: Session, actor: Actor, now, *, department_code: str | None, level: str | None,
                page: int, page_size: int):
    """Warnings and overdue applications, for admins and for approvers of the department."""
    department_code = supervision_scope(actor, department_code)
    today = local_date(now)
    condition = flag_condition(level, today) if level else or_(flag_condition("warning", today),
                                                                flag_condition("overdue", today))
    stmt = select(Application).where(condition, STAFF_VISIBLE)
    if department_code:
        stmt = stmt.where(Application.department_code == department_code)
    return paginate(session, stmt.order_by(Application.department_code, Application.promised_due_date,
                                           Application.id), page, page_size)
