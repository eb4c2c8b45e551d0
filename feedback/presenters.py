"""Turn rows into what the API shows, in one place, applying the visibility
rules (a report's reporter is hidden from the department; staff never see who
rated except on a rectification's call-back view).

Lists are presented together: what every row shows from another table (a
case's photos, a rating's rectification, a rectification's rating) is loaded
for the whole page with one IN query, so a page costs the same number of
statements whatever its size.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.access import is_staff
from mobile_api.actor import Actor

from .models import FeedbackCase, FeedbackRating, FeedbackRectification
from .services.access import reporter_visible_to
from .services.cases import case_photo_upload_ids
from .services.timeline import ACTION_LABELS, events_of
from .taxonomy import LEVEL_BY_VALUE

_CASE_FIELDS = ("id", "kind", "category", "about_type", "about_ref", "text", "state", "department_code",
                "duplicate_of_id", "submitted_at", "reply_due_at", "replied_at", "reply_text", "satisfaction",
                "reopen_count", "closed_at", "extension_status", "extension_days")
_RECTIFICATION_FIELDS = ("id", "rating_id", "department_code", "hall_id", "window_id", "state", "opened_at",
                         "callback_due_at", "due_at", "called_back_at", "callback_note", "resolved_at",
                         "resolution_note", "appeal_reason", "appeal_upheld", "appeal_note")


# --- cases ------------------------------------------------------------------

def _case(actor: Actor, case: FeedbackCase, photos: list[int]) -> dict:
    view = {name: getattr(case, name) for name in _CASE_FIELDS}
    view["overdue"] = case.overdue_at is not None
    view["photos"] = photos
    show_reporter = reporter_visible_to(actor, case)
    if not show_reporter and case.about_type == "application":
        view["about_ref"] = None  # the reporter's own application: its id names the reporter
    if is_staff(actor):
        view.update(citizen_id=case.citizen_id if show_reporter else None, reporter_hidden=not show_reporter,
                    urge_count=case.urge_count, extension_reason=case.extension_reason)
    return view


def case_list(session: Session, actor: Actor, cases: list[FeedbackCase]) -> list[dict]:
    """A page of cases (citizen's or staff's): one query for all their photos."""
    photos = case_photo_upload_ids(session, [case.id for case in cases])
    return [_case(actor, case, photos[case.id]) for case in cases]


def case_detail(session: Session, actor: Actor, case: FeedbackCase) -> dict:
    """One case with its timeline."""
    view = _case(actor, case, case_photo_upload_ids(session, [case.id])[case.id])
    show_reporter = reporter_visible_to(actor, case)
    timeline = []
    for event in events_of(session, case.id):
        hide = event.actor_kind == "citizen" and not show_reporter
        timeline.append({"at": event.at, "action": event.action,
                         "label": ACTION_LABELS.get(event.action, event.action),
                         "actor_kind": event.actor_kind, "actor_id": None if hide else event.actor_id,
                         "department_code": event.department_code, "note": event.note})
    view["timeline"] = timeline
    return view


# --- ratings and rectifications --------------------------------------------

def _rating(rating: FeedbackRating, rect: FeedbackRectification | None) -> dict:
    return {"id": rating.id, "event_kind": rating.event_kind, "event_id": rating.event_id,
            "level": LEVEL_BY_VALUE[rating.level], "reason": rating.reason_code, "comment": rating.comment,
            "rated_by": rating.rated_by, "rated_at": rating.rated_at, "department_code": rating.department_code,
            "hall_id": rating.hall_id, "window_id": rating.window_id, "item_code": rating.item_code,
            "rectification_id": rect.id if rect else None, "rectification_state": rect.state if rect else None}


def rating_list(session: Session, ratings: list[FeedbackRating]) -> list[dict]:
    """A page of ratings: one query for all their rectifications."""
    ids = [rating.id for rating in ratings]
    rects = {} if not ids else {rect.rating_id: rect for rect in session.scalars(
        select(FeedbackRectification).where(FeedbackRectification.rating_id.in_(ids)))}
    return [_rating(rating, rects.get(rating.id)) for rating in ratings]


def rating_view(session: Session, rating: FeedbackRating) -> dict:
    return rating_list(session, [rating])[0]


def _rectification(rect: FeedbackRectification, rating: FeedbackRating) -> dict:
    view = {name: getattr(rect, name) for name in _RECTIFICATION_FIELDS}
    view.update(level=LEVEL_BY_VALUE[rating.level], reason=rating.reason_code, comment=rating.comment,
                event_kind=rating.event_kind, event_id=rating.event_id,
                callback_overdue=rect.callback_overdue_at is not None, overdue=rect.overdue_at is not None,
                citizen_level=LEVEL_BY_VALUE.get(rect.citizen_level) if rect.citizen_level else None)
    return view


def rectification_list(session: Session, rects: list[FeedbackRectification]) -> list[dict]:
    """A page of rectifications: one query for all their ratings."""
    ids = [rect.rating_id for rect in rects]
    ratings = {} if not ids else {rating.id: rating for rating in session.scalars(
        select(FeedbackRating).where(FeedbackRating.id.in_(ids)))}
    return [_rectification(rect, ratings[rect.rating_id]) for rect in rects]


def rectification_view(session: Session, rect: FeedbackRectification) -> dict:
    return rectification_list(session, [rect])[0]


def rectification_contact_view(session: Session, rect: FeedbackRectification, citizen_id: int | None) -> dict:
    """The call-back view: the rectification and whom to call (the read is audited by the service)."""
    return dict(rectification_view(session, rect), citizen_id=citizen_id)
