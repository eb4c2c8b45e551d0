"""Turn rows into what the API shows, applying the visibility rules (a
report's reporter is hidden from the department; staff never see who rated
except on a rectification's call-back view)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api.actor import Actor

from .cases.access import reporter_visible_to
from .cases.citizen import case_photo_upload_ids
from .cases.timeline import ACTION_LABELS, events_of
from .models import FeedbackCase, FeedbackRating, FeedbackRectification
from .taxonomy import LEVEL_BY_VALUE


def case_view(session: Session, actor: Actor, case: FeedbackCase, detail: bool = False) -> dict:
    view = {name: getattr(case, name) for name in (
        "id", "kind", "category", "about_type", "about_ref", "text", "state", "department_code", "duplicate_of_id",
        "submitted_at", "reply_due_at", "replied_at", "reply_text", "satisfaction", "reopen_count", "closed_at",
        "extension_status", "extension_days")}
    view["overdue"] = case.overdue_at is not None
    view["photos"] = case_photo_upload_ids(session, case.id)
    show_reporter = reporter_visible_to(actor, case)
    if not show_reporter and case.about_type == "application":
        view["about_ref"] = None  # the reporter's own application: its id names the reporter
    if detail:
        timeline = []
        for event in events_of(session, case.id):
            hide = event.actor_kind == "citizen" and not show_reporter
            timeline.append({"at": event.at, "action": event.action,
                             "label": ACTION_LABELS.get(event.action, event.action),
                             "actor_kind": event.actor_kind, "actor_id": None if hide else event.actor_id,
                             "department_code": event.department_code, "note": event.note})
        view["timeline"] = timeline
    if actor.kind == "staff":
        view.update(citizen_id=case.citizen_id if show_reporter else None, reporter_hidden=not show_reporter,
                    urge_count=case.urge_count, extension_reason=case.extension_reason)
    return view


def rating_view(session: Session, rating: FeedbackRating) -> dict:
    rect = session.scalar(select(FeedbackRectification).where(FeedbackRectification.rating_id == rating.id))
    return {"id": rating.id, "event_kind": rating.event_kind, "event_id": rating.event_id,
            "level": LEVEL_BY_VALUE[rating.level], "reason": rating.reason_code, "comment": rating.comment,
            "rated_by": rating.rated_by, "rated_at": rating.rated_at, "department_code": rating.department_code,
            "hall_id": rating.hall_id, "window_id": rating.window_id, "item_code": rating.item_code,
            "rectification_id": rect.id if rect else None, "rectification_state": rect.state if rect else None}


def rectification_view(session: Session, rect: FeedbackRectification, citizen_id=None,
                       with_contact: bool = False) -> dict:
    rating = session.get(FeedbackRating, rect.rating_id)
    view = {name: getattr(rect, name) for name in (
        "id", "rating_id", "department_code", "hall_id", "window_id", "state", "opened_at", "callback_due_at",
        "due_at", "called_back_at", "callback_note", "resolved_at", "resolution_note", "appeal_reason",
        "appeal_upheld", "appeal_note")}
    view.update(level=LEVEL_BY_VALUE[rating.level], reason=rating.reason_code, comment=rating.comment,
                event_kind=rating.event_kind, event_id=rating.event_id,
                callback_overdue=rect.callback_overdue_at is not None, overdue=rect.overdue_at is not None,
                citizen_level=LEVEL_BY_VALUE.get(rect.citizen_level) if rect.citizen_level else None)
    if with_contact:
        view["citizen_id"] = citizen_id
    return view
