"""差评整改: every bad rating is called back within FEEDBACK_CALLBACK_DAYS and
then rectified, explained, or appealed as malicious within
FEEDBACK_RECTIFICATION_DAYS (working days). An admin decides an appeal; only
an upheld appeal takes the rating out of the statistics. The citizen may rate
the rectification.

States: pending_callback → called_back → rectified | explained;
pending_callback | called_back → appealed → appeal_upheld, or back to
called_back when the appeal is refused (the department must still act).
"""

from __future__ import annotations

import importlib.util

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from identity.access import is_department_admin, is_hall_admin
from mobile_api.crypto import mask_phone
from mobile_api.uow import commit_point

from ..errors import InvalidRating, RectificationNotFound, RectificationStateConflict
from ..models import FeedbackRating, FeedbackRectification
from ..taxonomy import LEVELS, is_valid_id
from .access import (ensure_may_appeal, load_rectification_for_staff, owns_rating, rectification_scope,
                     require_appeal_judge, require_staff)

MAX_NOTE = 2000


def _note(value: str | None, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > MAX_NOTE:
        raise InvalidRating(f"{what}不能为空且不超过 {MAX_NOTE} 字", errors={field: ["长度应为 1–2000 字"]})
    return value


def load_for_staff(session: Session, actor: Actor, rect_id: int) -> FeedbackRectification:
    return load_rectification_for_staff(session, actor, rect_id)


def queue(actor: Actor, state: str | None = None, overdue: bool | None = None):
    require_staff(actor)
    stmt = select(FeedbackRectification).where(rectification_scope(actor))
    if state:
        stmt = stmt.where(FeedbackRectification.state == state)
    if overdue is True:
        stmt = stmt.where(FeedbackRectification.overdue_at.is_not(None))
    return stmt.order_by(FeedbackRectification.due_at, FeedbackRectification.id)


OPEN_FOR_CALLBACK = ("pending_callback", "called_back")


def may_read_contact(actor: Actor, rect: FeedbackRectification) -> bool:
    """The citizen's phone goes to the admin the rectification is assigned
    to (the department's admin; for a general window, the hall's), and only
    while the department still has to call back or act."""
    if rect.state not in OPEN_FOR_CALLBACK:
        return False
    if rect.department_code is not None:
        return is_department_admin(actor, rect.department_code)
    return rect.hall_id is not None and is_hall_admin(actor, rect.hall_id)


def contact_for_callback(session: Session, actor: Actor, clock, rect: FeedbackRectification,
                         cipher=None) -> tuple[int | None, str | None]:
    """Who gave the bad rating (citizen id) and, for the assigned admin while
    the rectification is open, the phone they bound (unmasked), for the call
    back only; every such read is audited, the phone read on its own."""
    rating = session.get(FeedbackRating, rect.rating_id)
    citizen_id = rating.citizen_id if rating else None
    now = clock.now()
    audit.record(session, actor, "feedback.rating_rater_read", "feedback_rectification", rect.id,
                 {"rating_id": rect.rating_id}, at=now)
    phone = None
    if cipher is not None and citizen_id is not None and may_read_contact(actor, rect):
        phone = _bound_phone(session, cipher, citizen_id)
        if phone is not None:
            audit.record(session, actor, "feedback.rating_contact_read", "feedback_rectification", rect.id,
                         {"rating_id": rect.rating_id, "citizen_id": citizen_id, "phone_masked": mask_phone(phone),
                          "state": rect.state}, at=now)
    commit_point(session, "reading who gave a bad rating is audited even if the answer then fails")
    return citizen_id, phone


def _bound_phone(session: Session, cipher, citizen_id: int) -> str | None:
    if importlib.util.find_spec("wechat") is None:  # phones are bound through WeChat
        return None
    from wechat.services.phone import bound_phone

    return bound_phone(session, cipher, citizen_id)


def _move(session: Session, rect: FeedbackRectification, from_states: tuple[str, ...], values: dict) -> None:
    result = session.execute(update(FeedbackRectification)
                             .where(FeedbackRectification.id == rect.id,
                                    FeedbackRectification.state.in_(from_states))
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # nothing changed; the unit of work rolls back the rest
        raise RectificationStateConflict("整改单当前状态不允许此操作")


def _finish(session: Session, actor: Actor, rect: FeedbackRectification, action: str, now, details=None):
    audit.record(session, actor, action, "feedback_rectification", rect.id, details, at=now)
    session.refresh(rect)
    return rect


def call_back(session: Session, actor: Actor, clock, rect_id: int, note: str) -> FeedbackRectification:
    rect = load_for_staff(session, actor, rect_id)
    note = _note(note, "note", "回访记录")
    now = clock.now()
    _move(session, rect, ("pending_callback",), {"state": "called_back", "called_back_at": now,
                                                  "callback_note": note, "handled_by_staff_id": actor.id})
    return _finish(session, actor, rect, "feedback.rectification_callback", now,
                   {"on_time": now < rect.callback_due_at})


def resolve(session: Session, actor: Actor, clock, rect_id: int, outcome: str, note: str) -> FeedbackRectification:
    """整改 (rectified) or 解释说明 (explained), after the call back."""
    if outcome not in ("rectified", "explained"):
        raise InvalidRating("整改结果只能是 rectified（已整改）或 explained（已解释）", errors={"outcome": ["取值不正确"]})
    rect = load_for_staff(session, actor, rect_id)
    note = _note(note, "note", "整改说明")
    now = clock.now()
    _move(session, rect, ("called_back",), {"state": outcome, "resolved_at": now, "resolution_note": note,
                                            "handled_by_staff_id": actor.id})
    return _finish(session, actor, rect, "feedback.rectification_resolve", now,
                   {"outcome": outcome, "on_time": now < rect.due_at})


def appeal(session: Session, actor: Actor, clock, rect_id: int, reason: str) -> FeedbackRectification:
    """申诉: the department says the rating is malicious; an admin decides."""
    ensure_may_appeal(actor)
    rect = load_for_staff(session, actor, rect_id)
    reason = _note(reason, "reason", "申诉理由")
    now = clock.now()
    _move(session, rect, ("pending_callback", "called_back"),
          {"state": "appealed", "appeal_reason": reason, "appealed_at": now, "appeal_upheld": None})
    return _finish(session, actor, rect, "feedback.rectification_appeal", now)


def decide_appeal(session: Session, actor: Actor, clock, rect_id: int, upheld: bool,
                  note: str | None = None) -> FeedbackRectification:
    require_appeal_judge(actor)
    rect = load_for_staff(session, actor, rect_id)
    now = clock.now()
    if upheld:
        values = {"state": "appeal_upheld", "resolved_at": now}
    else:
        # Refused: the department must still call back (if not yet) and act.
        values = {"state": "called_back" if rect.called_back_at else "pending_callback"}
    values.update(appeal_decided_at=now, appeal_decided_by=actor.id, appeal_upheld=upheld, appeal_note=note)
    _move(session, rect, ("appealed",), values)
    if upheld:
        session.execute(update(FeedbackRating).where(FeedbackRating.id == rect.rating_id)
                        .values(excluded_at=now).execution_options(synchronize_session=False))
    return _finish(session, actor, rect, "feedback.rectification_appeal_decide", now, {"upheld": upheld})


def rate_rectification(session: Session, actor: Actor, clock, rating_id: int, level: str) -> FeedbackRectification:
    """The citizen rates how the bad rating was handled, once."""
    if level not in LEVELS:
        raise InvalidRating("评价等级不正确", errors={"level": ["取值不正确"]})
    rating = session.get(FeedbackRating, rating_id) if is_valid_id(rating_id) else None
    if not owns_rating(actor, rating):
        raise RectificationNotFound("整改单不存在")
    rect = session.scalar(select(FeedbackRectification).where(FeedbackRectification.rating_id == rating_id))
    if rect is None:
        raise RectificationNotFound("该评价没有整改单")
    now = clock.now()
    result = session.execute(update(FeedbackRectification)
                             .where(FeedbackRectification.id == rect.id,
                                    FeedbackRectification.state.in_(("rectified", "explained")),
                                    FeedbackRectification.citizen_level.is_(None))
                             .values(citizen_level=LEVELS[level][0], citizen_rated_at=now)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RectificationStateConflict("整改完成后才能评价，且只能评价一次")
    return _finish(session, actor, rect, "feedback.rectification_rate", now, {"level": LEVELS[level][0]})
