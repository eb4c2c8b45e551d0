"""Rating a served event: one rating per event (a unique constraint), only by
the citizen who was served (or the rating device at their window), within the
rating period. A bad rating opens a rectification in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit, hooks
from mobile_api.actor import Actor
from mobile_api.hooks import ServedEvent

from ..deadlines import due_after_working_days
from ..errors import AlreadyRated, EventNotFound, EventNotRatable, InvalidRating
from ..models import FeedbackRating, FeedbackRectification
from ..rules import Rules
from ..taxonomy import BAD_LEVELS, BAD_REASONS, LEVELS, RATED_EVENT_KINDS
from .access import ensure_may_rate, own_records, rating_scope, require_staff
from .attribution import attribute
from .invitations import settle_invitation
from .notices import rectification_notice

MAX_COMMENT = 2000


def _check_content(level_code: str, reason_code: str | None, comment: str | None) -> tuple[int, str | None,
                                                                                            str | None]:
    if level_code not in LEVELS:
        raise InvalidRating("评价等级只能是非常满意、满意、基本满意、不满意或非常不满意",
                            errors={"level": ["取值不正确"]})
    level = LEVELS[level_code][0]
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise InvalidRating(f"评价内容不能超过 {MAX_COMMENT} 字", errors={"comment": ["过长"]})
    if level in BAD_LEVELS:
        if reason_code not in BAD_REASONS:
            raise InvalidRating("不满意或非常不满意的评价须从列表中选择原因",
                                code="feedback.reason_required", errors={"reason": ["请选择差评原因"]})
    elif reason_code is not None:
        raise InvalidRating("只有不满意或非常不满意的评价需要选择原因", errors={"reason": ["好评无需原因"]})
    return level, reason_code, comment


def _check_rater(actor: Actor, event: ServedEvent, now: datetime, rules: Rules) -> None:
    ensure_may_rate(actor, event)
    if not event.finished or event.finished_at is None:
        raise EventNotRatable("服务尚未办结，办结后才能评价", code="feedback.event_not_finished")
    if now - event.finished_at > timedelta(days=rules.rating_period_days):
        raise EventNotRatable(f"已超过评价期限（办结后 {rules.rating_period_days} 天内）",
                              code="feedback.rating_period_over")
    if actor.kind == "kiosk" and now - event.finished_at > timedelta(minutes=rules.kiosk_rating_window_minutes):
        raise EventNotRatable("窗口评价器只能评价刚办结的服务，请在手机上评价", code="feedback.kiosk_window_over")


def rate(session: Session, actor: Actor, clock, rules: Rules, *, event_kind: str, event_id: int, level: str,
         reason: str | None = None, comment: str | None = None) -> FeedbackRating:
    if event_kind not in RATED_EVENT_KINDS:
        raise InvalidRating("只能评价取号、申办件或诉求", errors={"event_kind": ["取值不正确"]})
    level_value, reason, comment = _check_content(level, reason, comment)
    event = hooks.get_served_event(session, event_kind, event_id)
    if event is None:
        raise EventNotFound("被评价的服务不存在")
    now = clock.now()
    _check_rater(actor, event, now, rules)
    rating = record_rating(session, actor, event, level_value, reason, comment, now, rules,
                           rated_by=actor.kind)
    return rating


def record_rating(session: Session, actor: Actor, event: ServedEvent, level: int, reason: str | None,
                  comment: str | None, now: datetime, rules: Rules, rated_by: str) -> FeedbackRating:
    """Insert the rating (and its rectification if bad) in the caller's transaction."""
    who = attribute(session, event)
    rating = FeedbackRating(event_kind=event.kind, event_id=event.id, citizen_id=event.citizen_id, level=level,
                            reason_code=reason, comment=comment, channel=actor.channel, rated_by=rated_by,
                            department_code=who.department_code, hall_id=who.hall_id,
                            window_id=who.window_id, item_code=event.item_code, staff_id=who.staff_id,
                            event_finished_at=event.finished_at, rated_at=now)
    try:
        with session.begin_nested():
            session.add(rating)
            session.flush()
    except IntegrityError:
        raise AlreadyRated("该服务已评价过，每项服务只能评价一次")
    if level in BAD_LEVELS:
        rect = FeedbackRectification(
            rating_id=rating.id, department_code=who.department_code, hall_id=who.hall_id,
            window_id=who.window_id, state="pending_callback", opened_at=now,
            callback_due_at=due_after_working_days(now, rules.callback_days),
            due_at=due_after_working_days(now, rules.rectification_days))
        session.add(rect)
        session.flush()
        rectification_notice(session, rect, "rectification_opened", now,
                             dedupe_key=f"feedback.rectification_opened:{rect.id}")
    settle_invitation(session, event.kind, event.id, now)
    audit.record(session, actor, "feedback.rating_create", "feedback_rating", rating.id,
                 {"event_kind": event.kind, "event_id": event.id, "level": level, "reason": reason,
                  "rated_by": rated_by}, at=now)
    session.flush()
    return rating


def own_ratings(actor: Actor):
    return (select(FeedbackRating).where(own_records(actor, FeedbackRating))
            .order_by(FeedbackRating.rated_at.desc(), FeedbackRating.id.desc()))


def department_ratings(actor: Actor, level: int | None = None):
    """The ratings that belong to this staff member (their department's, and
    their hall's general-window ones), shown without who gave them."""
    require_staff(actor)
    stmt = select(FeedbackRating).where(FeedbackRating.excluded_at.is_(None), rating_scope(actor))
    if level is not None:
        stmt = stmt.where(FeedbackRating.level == level)
    return stmt.order_by(FeedbackRating.rated_at.desc(), FeedbackRating.id.desc())
