"""The periodic sweep (`flask feedback sweep`, run by the scheduler / an RQ
job): flags overdue cases and rectifications and urges their departments
(催办), closes replied cases left without a verdict, and — when
FEEDBACK_DEFAULT_RATING_ENABLED is on — rates events left unrated as 基本满意.

Running it twice changes nothing the second time: every step is a
conditional UPDATE on "not yet done" (overdue_at IS NULL, last urged before
today, settled_at IS NULL), and urge notices carry a dedupe key per day.

Urge notices go to the outbox topic `staff.notify` (payload: department_code
or hall_id, event case_urged | rectification_overdue, data), delivered by
wechat.work to the staff inbox and 企业微信; the urge is also visible in the
staff queues (overdue flag, urge_count, timeline).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mobile_api import audit, hooks, outbox
from mobile_api.actor import SYSTEM

from ..deadlines import local_day
from ..errors import AlreadyRated, CaseStateConflict
from ..models import FeedbackCase, FeedbackRatingInvitation, FeedbackRectification
from ..rules import Rules
from ..taxonomy import BASICALLY_SATISFIED, OPEN_STATES
from .closing import close_case
from .notices import rectification_notice
from .ratings import record_rating
from .timeline import add_event

STAFF_NOTIFY = "staff.notify"


def _flag_overdue_cases(session: Session, now, counts: dict) -> None:
    ids = list(session.scalars(select(FeedbackCase.id).where(FeedbackCase.state.in_(OPEN_STATES),
                                                             FeedbackCase.reply_due_at <= now,
                                                             FeedbackCase.overdue_at.is_(None))))
    for case_id in ids:
        result = session.execute(update(FeedbackCase)
                                 .where(FeedbackCase.id == case_id, FeedbackCase.overdue_at.is_(None),
                                        FeedbackCase.state.in_(OPEN_STATES), FeedbackCase.reply_due_at <= now)
                                 .values(overdue_at=now).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            add_event(session, case_id, "overdue", SYSTEM, now)
            audit.record(session, SYSTEM, "feedback.case_overdue", "feedback_case", case_id, at=now)
            counts["cases_flagged_overdue"] += 1


def _urge_cases(session: Session, now, counts: dict) -> None:
    today = local_day(now)
    cases = list(session.scalars(select(FeedbackCase).where(
        FeedbackCase.state.in_(OPEN_STATES), FeedbackCase.overdue_at.is_not(None),
        or_(FeedbackCase.last_urged_on.is_(None), FeedbackCase.last_urged_on < today))))
    for case in cases:
        result = session.execute(update(FeedbackCase)
                                 .where(FeedbackCase.id == case.id,
                                        or_(FeedbackCase.last_urged_on.is_(None),
                                            FeedbackCase.last_urged_on < today))
                                 .values(last_urged_on=today, urge_count=FeedbackCase.urge_count + 1)
                                 .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        add_event(session, case.id, "urged", SYSTEM, now, department_code=case.department_code)
        outbox.enqueue(session, STAFF_NOTIFY,
                       {"department_code": case.department_code, "event": "case_urged",
                        "data": {"case_id": case.id, "state": case.state,
                                 "reply_due_at": case.reply_due_at.isoformat()}},
                       now, dedupe_key=f"feedback.urge:case:{case.id}:{today.isoformat()}")
        counts["cases_urged"] += 1


def _close_unanswered(session: Session, now, rules: Rules, counts: dict) -> None:
    limit = now - timedelta(days=rules.satisfaction_days)
    for case in list(session.scalars(select(FeedbackCase).where(FeedbackCase.state == "replied",
                                                                FeedbackCase.replied_at <= limit))):
        try:
            with session.begin_nested():
                close_case(session, SYSTEM, None, rules, case, None, None, now)
        except CaseStateConflict:
            continue
        counts["cases_closed_without_verdict"] += 1


def _flag_rectifications(session: Session, now, counts: dict) -> None:
    callback_late = (update(FeedbackRectification)
                     .where(FeedbackRectification.state == "pending_callback",
                            FeedbackRectification.callback_due_at <= now,
                            FeedbackRectification.callback_overdue_at.is_(None))
                     .values(callback_overdue_at=now).execution_options(synchronize_session=False))
    counts["rectification_callbacks_overdue"] += session.execute(callback_late).rowcount
    # An appeal waits on the admin, not the department, so it is not the department's delay.
    ids = list(session.scalars(select(FeedbackRectification.id).where(
        FeedbackRectification.state.in_(("pending_callback", "called_back")),
        FeedbackRectification.due_at <= now, FeedbackRectification.overdue_at.is_(None))))
    for rect_id in ids:
        result = session.execute(update(FeedbackRectification)
                                 .where(FeedbackRectification.id == rect_id,
                                        FeedbackRectification.overdue_at.is_(None))
                                 .values(overdue_at=now).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        rect = session.get(FeedbackRectification, rect_id, populate_existing=True)
        audit.record(session, SYSTEM, "feedback.rectification_overdue", "feedback_rectification", rect_id, at=now)
        rectification_notice(session, rect, "rectification_overdue", now,
                             dedupe_key=f"feedback.urge:rectification:{rect_id}")
        counts["rectifications_flagged_overdue"] += 1


def _default_ratings(session: Session, now, rules: Rules, counts: dict) -> None:
    due = list(session.scalars(select(FeedbackRatingInvitation).where(
        FeedbackRatingInvitation.settled_at.is_(None), FeedbackRatingInvitation.expires_at <= now)))
    for invitation in due:
        event = hooks.get_served_event(session, invitation.event_kind, invitation.event_id)
        claimed = session.execute(update(FeedbackRatingInvitation)
                                  .where(FeedbackRatingInvitation.id == invitation.id,
                                         FeedbackRatingInvitation.settled_at.is_(None))
                                  .values(settled_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1 or event is None or not event.finished:
            continue
        try:
            record_rating(session, SYSTEM, event, BASICALLY_SATISFIED, None, None, now, rules, rated_by="system")
        except AlreadyRated:
            continue
        counts["default_ratings"] += 1


def periodic_sweep(session: Session, clock, app) -> dict[str, int]:
    """The rule `feedback.sweep` of the job engine (mobile_api/jobs/schedule.py)."""
    return run_sweep(session, clock, Rules.from_config(app.config))


def run_sweep(session: Session, clock, rules: Rules) -> dict[str, int]:
    now = clock.now()
    counts = {name: 0 for name in ("cases_flagged_overdue", "cases_urged", "cases_closed_without_verdict",
                                   "rectification_callbacks_overdue", "rectifications_flagged_overdue",
                                   "default_ratings")}
    _flag_overdue_cases(session, now, counts)
    _urge_cases(session, now, counts)
    _close_unanswered(session, now, rules, counts)
    _flag_rectifications(session, now, counts)
    if rules.default_rating_enabled:
        _default_ratings(session, now, rules, counts)
    return counts
