"""Staff notices this package writes to the outbox topic `staff.notify`
(delivered by wechat.work: the in-app inbox and 企业微信): new dispatches,
urges (催办), a new bad rating to rectify and an overdue rectification.
Payload: `{"event", "department_code" | "hall_id", "data"}`; a rating
without a department (a general window) goes to its hall."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mobile_api import outbox

from ..models import FeedbackCase, FeedbackRectification
from ..taxonomy import CASE_KINDS

STAFF_NOTIFY = "staff.notify"


def case_dispatched(session: Session, case: FeedbackCase, department_code: str, now: datetime,
                    how: str) -> None:
    """A case newly in a department's hands (派单 or 转办). One notice per hand-over."""
    outbox.enqueue(session, STAFF_NOTIFY,
                   {"department_code": department_code, "event": "case_dispatched",
                    "data": {"case_id": case.id, "kind": case.kind, "kind_text": CASE_KINDS.get(case.kind, case.kind),
                             "how": how, "reply_due_at": case.reply_due_at.isoformat()}},
                   now, dedupe_key=f"feedback.dispatch:case:{case.id}:{department_code}:{now.isoformat()}")


def rectification_notice(session: Session, rect: FeedbackRectification, event: str, now: datetime,
                         dedupe_key: str) -> None:
    """rectification_opened (with its call-back and rectification deadlines) or rectification_overdue."""
    outbox.enqueue(session, STAFF_NOTIFY,
                   {"department_code": rect.department_code, "hall_id": rect.hall_id, "event": event,
                    "data": {"rectification_id": rect.id, "hall_id": rect.hall_id, "window_id": rect.window_id,
                             "callback_due_at": rect.callback_due_at.isoformat(),
                             "due_at": rect.due_at.isoformat()}},
                   now, dedupe_key=dedupe_key)
