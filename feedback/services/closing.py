"""Ending a round of a case: close it (and invite a rating), or reopen it once
because the citizen was not satisfied. Shared by the citizen's actions and
the sweep (which closes replied cases left without a verdict)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from ..deadlines import due_after_working_days
from ..errors import CaseStateConflict
from ..models import FeedbackCase
from ..rules import Rules
from ..taxonomy import CASE_KINDS
from .invitations import invite_rating
from .timeline import add_event


def _conditional(session: Session, case: FeedbackCase, values: dict) -> bool:
    """Apply `values` only if the case is still replied in the round we read;
    another request that got there first makes this one lose."""
    result = session.execute(update(FeedbackCase)
                             .where(FeedbackCase.id == case.id, FeedbackCase.state == "replied",
                                    FeedbackCase.reopen_count == case.reopen_count)
                             .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def close_case(session: Session, actor: Actor, clock, rules: Rules, case: FeedbackCase, verdict: str | None,
               comment: str | None, now: datetime) -> FeedbackCase:
    if not _conditional(session, case, {"state": "closed", "closed_at": now, "satisfaction": verdict,
                                        "satisfaction_comment": comment}):
        raise CaseStateConflict("诉求状态已变化，请刷新后重试")
    if verdict is not None:
        add_event(session, case.id, "satisfaction", actor, now, note=verdict)
    add_event(session, case.id, "closed", actor, now)
    audit.record(session, actor, "feedback.case_close", "feedback_case", case.id, {"satisfaction": verdict}, at=now)
    session.refresh(case)
    invite_rating(session, "case", case.id, case.citizen_id, now, rules,
                  {"item_name": f"{CASE_KINDS[case.kind]}诉求办理", "remark": "邀请您对诉求办理进行评价"})
    return case


def reopen_case(session: Session, actor: Actor, clock, rules: Rules, case: FeedbackCase,
                reason: str) -> FeedbackCase:
    now = clock.now()
    department = case.replied_department_code or case.department_code
    values = {"state": "dispatched", "department_code": department, "reopen_count": case.reopen_count + 1,
              "satisfaction": "unsatisfied", "satisfaction_comment": reason,
              "reply_due_at": due_after_working_days(now, rules.reply_days[case.kind]),
              "overdue_at": None, "extension_status": None, "extension_days": None, "extension_reason": None}
    if not _conditional(session, case, values):
        raise CaseStateConflict("诉求状态已变化，请刷新后重试")
    add_event(session, case.id, "reopened", actor, now, department_code=department, note=reason)
    audit.record(session, actor, "feedback.case_reopen", "feedback_case", case.id, {"department": department}, at=now)
    session.refresh(case)
    return case
