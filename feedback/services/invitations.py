"""Rating invitations: a served event the citizen is asked to rate, with the
end of its rating period. The sweep settles the ones left unrated (as
基本满意 when FEEDBACK_DEFAULT_RATING_ENABLED is on).

feedback invites for its own closed cases; booking and submissions may call
`invite_rating` when a ticket or an application completes, so their events
take part in the default rating too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import outbox

from ..models import FeedbackRatingInvitation
from ..rules import Rules


def invite_rating(session: Session, event_kind: str, event_id: int, citizen_id: int | None, now: datetime,
                  rules: Rules, data: dict | None = None) -> FeedbackRatingInvitation | None:
    """Record the invitation and tell the citizen, in the caller's transaction;
    a second invitation for the same event is ignored. `data` adds what the
    subscribe message shows (item_name, served_at)."""
    invitation = FeedbackRatingInvitation(event_kind=event_kind, event_id=event_id, citizen_id=citizen_id,
                                          invited_at=now, expires_at=now + timedelta(days=rules.rating_period_days))
    try:
        with session.begin_nested():
            session.add(invitation)
            session.flush()
    except IntegrityError:
        return None
    if citizen_id is not None:
        outbox.enqueue(session, outbox.CITIZEN_NOTIFY,
                       {"citizen_id": citizen_id, "event": "rating_invitation",
                        "data": {"kind": event_kind, "id": event_id, "event_kind": event_kind, "event_id": event_id,
                                 "served_at": now.isoformat(), "rate_before": invitation.expires_at.isoformat(),
                                 **(data or {})}},
                       now, dedupe_key=f"feedback.rating_invitation:{event_kind}:{event_id}")
    return invitation


def settle_invitation(session: Session, event_kind: str, event_id: int, now: datetime) -> None:
    session.execute(update(FeedbackRatingInvitation)
                    .where(FeedbackRatingInvitation.event_kind == event_kind,
                           FeedbackRatingInvitation.event_id == event_id,
                           FeedbackRatingInvitation.settled_at.is_(None))
                    .values(settled_at=now).execution_options(synchronize_session=False))
