"""Timeline entries of a case (what the citizen and staff see), written in
the same transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api.actor import Actor

from ..models import FeedbackCaseEvent

ACTION_LABELS = {
    "submitted": "市民提交诉求",
    "merged": "与此前相同诉求关联",
    "dispatched": "派单",
    "transferred": "转办",
    "returned": "退单",
    "extension_requested": "申请延期",
    "extension_approved": "延期获批",
    "extension_rejected": "延期未获批",
    "replied": "答复",
    "satisfaction": "市民评价答复",
    "reopened": "市民不满意，重新办理",
    "closed": "办结",
    "overdue": "超期",
    "urged": "催办",
    "withdrawn": "账号注销，诉求终止",
}


def add_event(session: Session, case_id: int, action: str, actor: Actor, now: datetime,
              department_code: str | None = None, note: str | None = None) -> FeedbackCaseEvent:
    event = FeedbackCaseEvent(case_id=case_id, at=now, action=action,
                              actor_kind=actor.kind if actor.kind in ("citizen", "staff") else "system",
                              actor_id=actor.id if actor.kind in ("citizen", "staff") else None,
                              department_code=department_code, note=note)
    session.add(event)
    return event


def events_of(session: Session, case_id: int) -> list[FeedbackCaseEvent]:
    return list(session.scalars(select(FeedbackCaseEvent).where(FeedbackCaseEvent.case_id == case_id)
                                .order_by(FeedbackCaseEvent.at, FeedbackCaseEvent.id)))
