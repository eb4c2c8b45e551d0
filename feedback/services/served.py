"""A closed case is a served event the citizen may rate (kind "case")."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mobile_api.hooks import ServedEvent

from ..models import FeedbackCase


def served_case(session: Session, case_id: int) -> ServedEvent | None:
    case = session.get(FeedbackCase, case_id)
    if case is None:
        return None
    return ServedEvent(kind="case", id=case.id, citizen_id=case.citizen_id, finished=case.state == "closed",
                       finished_at=case.closed_at,
                       department_code=case.replied_department_code or case.department_code,
                       staff_id=case.replied_by_staff_id)
