"""feedback's object rules, in one place, expressed through identity.access.

Cases
- a citizen: only their own cases (others' are answered as not found);
- the 12345 dispatcher (派单员) is the platform admin
  (`identity.access.is_dispatcher`): sees every case, dispatches, decides
  extensions;
- department staff (`acts_for_department`: its approvers and admins, never a
  clerk, whatever department its window serves): the cases their department
  currently holds; they transfer, return, reply and ask for extensions in
  the name of that department, so they must have one.
- Reports (举报) hide the reporter: only the dispatcher sees who filed one.

Ratings and rectifications
- a rating belongs to the department of the rated event; a rating without a
  department (a general window, 综合窗口) belongs to the staff of its hall
  (`acts_for_hall`). The staff it belongs to see it in their list and must
  call back and rectify it; the platform admin sees all and decides appeals.

Every route and service asks these functions; none reads `role`,
`department_code` or `hall_id` to decide access itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import false, or_, true
from sqlalchemy.orm import Session

from identity.access import (acts_for_department, acts_for_hall, department_of, is_dispatcher,
                             is_platform_admin, is_staff, owns)
from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden
from mobile_api.hooks import ServedEvent
from mobile_api.uow import commit_point

from ..errors import CaseNotFound, EventNotFound, NotAppealJudge, NotDispatcher, RectificationNotFound
from ..models import FeedbackCase, FeedbackRating, FeedbackRectification
from ..taxonomy import is_valid_id

__all__ = ["own_records", "owns", "is_dispatcher", "require_dispatcher", "handling_department", "require_handling_department",
           "can_read_case", "load_visible_case", "reporter_visible_to", "audit_staff_read",
           "ensure_may_rate", "owns_rating", "rating_belongs_to", "rating_scope", "rectification_scope",
           "load_rectification_for_staff", "require_staff", "require_appeal_judge", "stats_department"]


# --- a citizen's own records -------------------------------------------------

def own_records(actor: Actor, model):
    """WHERE clause: the rows of `model` (with a citizen_id) that are this citizen's; none for anyone else."""
    return model.citizen_id == actor.id if actor is not None and actor.kind == "citizen" else false()


# --- cases ------------------------------------------------------------------

def require_dispatcher(actor: Actor) -> None:
    if not is_dispatcher(actor):
        raise NotDispatcher("仅 12345 派单员（平台管理员）可执行此操作")


def handling_department(actor: Actor) -> str | None:
    """The department in whose name this staff member handles cases: their
    own, for its approvers and admins. The platform admin dispatches but does
    not handle; clerks (even at a department's window) and hall admins
    handle no cases."""
    return department_of(actor)


def require_handling_department(actor: Actor) -> str:
    department = handling_department(actor)
    if department is None:
        raise Forbidden("仅承办部门的工作人员可执行此操作")
    return department


def can_read_case(actor: Actor, case: FeedbackCase) -> bool:
    """Its citizen, the dispatcher, or the staff of the department holding it."""
    if actor.kind == "citizen":
        return owns(actor, case.citizen_id)
    return is_dispatcher(actor) or (case.department_code is not None
                                    and acts_for_department(actor, case.department_code))


def load_visible_case(session: Session, actor: Actor, case_id: int) -> FeedbackCase:
    case = session.get(FeedbackCase, case_id, populate_existing=True) if is_valid_id(case_id) else None
    if case is None or not can_read_case(actor, case):
        raise CaseNotFound(f"诉求 {case_id} 不存在")
    return case


def reporter_visible_to(actor: Actor, case: FeedbackCase) -> bool:
    """Whether this reader may learn who filed the case."""
    if actor.kind == "citizen":
        return True  # only the owner gets this far
    return case.kind != "report" or is_dispatcher(actor)


def audit_staff_read(session: Session, actor: Actor, case: FeedbackCase, action: str, now: datetime,
                     details: dict | None = None) -> None:
    """A staff read of a citizen's case (its text, photos and, where visible,
    who filed it) is personal data read by staff: audited, and the entry
    stands even if the answer then fails. Citizens reading their own are not."""
    if not is_staff(actor):
        return
    audit.record(session, actor, action, "feedback_case", case.id,
                 dict(details or {}, reporter_visible=reporter_visible_to(actor, case)), at=now)
    commit_point(session, "a staff read of a citizen's case is audited even if the answer then fails")


# --- ratings and rectifications --------------------------------------------

def require_staff(actor: Actor) -> None:
    if not is_staff(actor):
        raise Forbidden("仅工作人员可查看")


def ensure_may_rate(actor: Actor, event: ServedEvent) -> None:
    """Only the citizen who was served rates, or the rating device (kiosk) at
    the window for a ticket of its own hall. Someone else's event is answered
    as not found; staff never rate (so nobody rates their own service)."""
    if actor.kind == "citizen":
        if not owns(actor, event.citizen_id):
            raise EventNotFound("被评价的服务不存在")
    elif actor.kind == "kiosk":
        if event.kind != "ticket" or event.hall_id is None or not acts_for_hall(actor, event.hall_id):
            raise EventNotFound("被评价的服务不存在")
    else:
        raise Forbidden("工作人员不能评价服务（也不能评价自己的服务）", code="feedback.staff_cannot_rate")


def owns_rating(actor: Actor, rating: FeedbackRating | None) -> bool:
    return rating is not None and owns(actor, rating.citizen_id)


def rating_belongs_to(actor: Actor, department_code: str | None, hall_id: int | None) -> bool:
    """The staff a rating (or its rectification) belongs to: its department's,
    or for a general-window rating (no department) its hall's."""
    if not is_staff(actor):
        return False
    if is_platform_admin(actor):
        return True
    if department_code is not None:
        return acts_for_department(actor, department_code)
    return acts_for_hall(actor, hall_id)


def ensure_may_appeal(actor: Actor) -> None:
    """An appeal is the responsible department's act; the platform admin
    decides appeals, so it may not file one (it could then uphold its own)."""
    if is_platform_admin(actor):
        raise Forbidden("申诉由责任部门提出，平台管理员负责裁定", code="feedback.judge_cannot_appeal")


def _belongs_clause(actor: Actor, model):
    """`rating_belongs_to` as SQL over a model with department_code and hall_id.
    Compare with the actor's values only when they are set: `column == None`
    would be `IS NULL` and hand staff without a department every hall's
    general-window items."""
    if not is_staff(actor):
        return false()
    if is_platform_admin(actor):
        return true()
    scope = []
    department = department_of(actor)  # a clerk's window department is not its to handle
    if department is not None:
        scope.append(model.department_code == department)
    if actor.hall_id is not None:
        scope.append(model.department_code.is_(None) & (model.hall_id == actor.hall_id))
    return or_(*scope) if scope else false()


def rating_scope(actor: Actor):
    """WHERE clause: the ratings that belong to this staff member."""
    return _belongs_clause(actor, FeedbackRating)


def rectification_scope(actor: Actor):
    """WHERE clause: the rectifications this staff member must handle."""
    return _belongs_clause(actor, FeedbackRectification)


def load_rectification_for_staff(session: Session, actor: Actor, rect_id: int) -> FeedbackRectification:
    rect = session.get(FeedbackRectification, rect_id, populate_existing=True) if is_valid_id(rect_id) else None
    if rect is None or not rating_belongs_to(actor, rect.department_code, rect.hall_id):
        raise RectificationNotFound(f"整改单 {rect_id} 不存在")
    return rect


def require_appeal_judge(actor: Actor) -> None:
    """Appeals against malicious ratings are decided by the platform admin."""
    if not is_platform_admin(actor):
        raise NotAppealJudge("仅平台管理员可裁定申诉")


def stats_department(actor: Actor) -> str | None:
    """The department whose detailed statistics this staff member reads: the
    platform admin reads all (None); department staff their own; anyone else
    (general-window staff, a hall admin) none."""
    if is_platform_admin(actor):
        return None
    department = handling_department(actor)
    if department is None:
        raise Forbidden("没有所属部门的工作人员无权查看")
    return department
