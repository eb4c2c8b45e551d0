"""Who may see and act on a case.

- a citizen: only their own cases (others' are answered as not found);
- the 12345 dispatcher (派单员): a platform-level role, modelled as staff with
  role `admin` and no department; sees every case and dispatches;
- department staff: the cases their department currently handles.

Reports (举报) hide the reporter: only the dispatcher sees who filed one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from ..errors import CaseNotFound, NotDispatcher
from ..models import FeedbackCase
from ..taxonomy import is_valid_id


def is_dispatcher(actor: Actor) -> bool:
    return actor.kind == "staff" and actor.role == "admin" and actor.department_code is None


def require_dispatcher(actor: Actor) -> None:
    if not is_dispatcher(actor):
        raise NotDispatcher("仅 12345 派单员（无所属部门的平台管理员）可执行此操作")


def can_see(actor: Actor, case: FeedbackCase) -> bool:
    if actor.kind == "citizen":
        return case.citizen_id is not None and case.citizen_id == actor.id
    if actor.kind == "staff":
        return is_dispatcher(actor) or (case.department_code is not None
                                        and case.department_code == actor.department_code)
    return False


def load_visible_case(session: Session, actor: Actor, case_id: int) -> FeedbackCase:
    case = session.get(FeedbackCase, case_id, populate_existing=True) if is_valid_id(case_id) else None
    if case is None or not can_see(actor, case):
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
    who filed it) is personal data read by staff: audited and committed
    before the answer goes out. Citizens reading their own are not."""
    if actor.kind != "staff":
        return
    audit.record(session, actor, action, "feedback_case", case.id,
                 dict(details or {}, reporter_visible=reporter_visible_to(actor, case)), at=now)
    session.commit()
